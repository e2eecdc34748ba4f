"""pytest set-up shared by the tests: asserts in the helper module report their values too."""

import pytest

pytest.register_assert_rewrite("widget_helpers")
