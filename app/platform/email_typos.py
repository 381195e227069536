""""Tarkoititko …?" for an e-mail address whose domain looks like a mistyped common one.

The mail providers people in Finland use most, Finnish and international.  No
maintained library fits: mailcheck's Python ports were last released years ago
and carry American domain lists, so this is a short table and rapidfuzz's
edit distance (already used by search), where a swap of two letters counts as one.
"""
from rapidfuzz.distance import OSA

COMMON_DOMAINS = (
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.fi", "outlook.com", "outlook.fi", "live.com",
    "live.fi", "msn.com", "yahoo.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.net",
    "mail.com", "protonmail.com", "proton.me", "luukku.com", "suomi24.fi", "kolumbus.fi", "elisanet.fi",
    "saunalahti.fi", "welho.com", "netti.fi", "dnainternet.net", "pp.inet.fi", "surffi.fi", "anvianet.fi",
)


def suggest_email(address: str) -> str | None:
    """The address with a likely intended domain ("maija@gmial.con" → "maija@gmail.com"), or None.

    `address` is normalised (lower case).  A known domain, or one nothing is close
    to, gets no suggestion; two edits are allowed in longer domains, one in short ones.
    """
    local, _at, domain = address.rpartition("@")
    if not local or domain in COMMON_DOMAINS:
        return None
    allowed = 2 if len(domain) >= 8 else 1
    best = min(COMMON_DOMAINS, key=lambda known: OSA.distance(domain, known))
    if OSA.distance(domain, best) > allowed:
        return None
    return f"{local}@{best}"
