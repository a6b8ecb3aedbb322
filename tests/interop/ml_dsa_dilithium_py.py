"""ML-DSA peer for tests/ml_dsa.rs (interop): dilithium-py, a pure-Python FIPS 204
implementation. Reads one JSON request on stdin, writes one JSON answer; the protocol is
that of ml_dsa_noble.mjs next to this file.

`generate` makes a new key pair (a seed from os.urandom); keys are derived from the 32-byte
seed (ML-DSA.KeyGen_internal); signing and verification use the pure mode with the empty
context, as JOSE does (draft-ietf-cose-dilithium).
"""

import base64
import json
import os
import sys
from importlib.metadata import version

from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

SCHEMES = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(op: dict) -> dict:
    scheme = SCHEMES[op["alg"]]
    if op["op"] == "generate":
        seed = os.urandom(32)
        pk, _ = scheme.key_derive(seed)
        return {"seed": b64(seed), "pub": b64(pk)}
    if op["op"] == "keygen":
        pk, _ = scheme.key_derive(unb64(op["seed"]))
        return {"pub": b64(pk)}
    if op["op"] == "sign":
        _, sk = scheme.key_derive(unb64(op["seed"]))
        return {"sig": b64(scheme.sign(sk, unb64(op["msg"]), ctx=b""))}
    if op["op"] == "verify":
        ok = scheme.verify(unb64(op["pub"]), unb64(op["msg"]), unb64(op["sig"]), ctx=b"")
        return {"ok": bool(ok)}
    raise ValueError(f"unknown op {op['op']}")


request = json.load(sys.stdin)
answer = {
    "implementation": f"dilithium-py {version('dilithium-py')}",
    "results": [run(op) for op in request["ops"]],
}
sys.stdout.write(json.dumps(answer) + "\n")
