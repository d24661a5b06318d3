from django.contrib.auth.hashers import Argon2PasswordHasher


class KrijtArgon2Hasher(Argon2PasswordHasher):
    """Argon2id at the OWASP minimum (m=19 MiB, t=2, p=1).

    The cheapest setting OWASP accepts, chosen because login storms are bounded by hashing: see
    docs/decisions/0003-password-hashing.md for the measured cost of one check. Raising any of the
    three rehashes a user's password at their next sign-in (Django's must_update).
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
