"""qi-report: a Quality Improvement programme's data and stories, published as a newsletter site."""

__version__ = "0.1.0"
