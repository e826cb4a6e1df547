"""Fixtures shared by the DCIM tests."""
import pytest

from dcim.tests.test_cables import connect, interface, patch_panel


@pytest.fixture
def patched():
    """eth0 -> panel1 front -> panel1 rear == trunk == panel2 rear -> panel2 front -> eth1."""
    left, right = interface(name='left'), interface(name='right')
    (front1,), rear1 = patch_panel()
    (front2,), rear2 = patch_panel()
    cables = [connect(left, front1), connect(rear1, rear2, label='trunk'), connect(front2, right)]
    return left, right, cables
