"""Browser tests: a package, so that their module names (browser.test_serve) do not clash with
those of the tests beside it (test_serve)."""
