"""The path converter for the ids in our addresses.

An id is a positive whole number the database can hold: ``/participants/0/`` or an id of 25 digits
matches no address (404), rather than reaching a view that reads 0 as "no id, create one" or a
database that cannot compare such a number.
"""

ID_MAX = 2**63 - 1  # the largest primary key of a 64-bit integer column


class IdConverter:
    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            raise ValueError("id out of range")  # the resolver reads it as "no match"
        return number

    def to_url(self, value) -> str:
        return str(int(value))
