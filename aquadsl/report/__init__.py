"""Reports from Jinja2 templates: Markdown previews and diffs for pull requests, and the HTML report."""
