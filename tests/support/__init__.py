"""Test infrastructure (harnesses, fakes, proxies, shared helpers): imported by tests and conftest
modules; it holds no tests, and no test imports a conftest module."""
