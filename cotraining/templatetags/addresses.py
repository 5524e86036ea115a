"""``{% fixed_url "name" %}``: the address of a page that takes no argument, as ``{% url %}``
gives it, reversed once per process.

The site's frame (``templates/base.html`` and its navigation) links to eight such pages on
every request, and ``reverse`` costs several times more than the rest of a link. The address
depends only on the URL configuration and the script prefix, both fixed for the life of the
process (and part of the key, for a test that changes them).
"""

from django import template

from programmes.addresses import fixed_address

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return fixed_address(name)
