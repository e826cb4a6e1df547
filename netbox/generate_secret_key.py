#!/usr/bin/env python3
"""Print a random SECRET_KEY suitable for configuration.py."""
import secrets
import string

ALPHABET = string.ascii_letters + string.digits + '!@#$%^&*(-_=+)'


def generate_secret_key(length=64):
    return ''.join(secrets.choice(ALPHABET) for _ in range(length))


if __name__ == '__main__':
    print(generate_secret_key())
