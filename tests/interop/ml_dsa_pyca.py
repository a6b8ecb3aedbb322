"""ML-DSA peer for tests/ml_dsa.rs (interop): pyca/cryptography (47 or later), whose ML-DSA
is OpenSSL's (3.5 or later, as bundled in its wheels). Reads one JSON request on stdin,
writes one JSON answer; the protocol is that of ml_dsa_noble.mjs next to this file, plus
{"op": "pem", "alg": ..., "seed": B64U} -> {"pkcs8": PEM, "spki": PEM}: the key as
PKCS#8 and SubjectPublicKeyInfo (RFC 9881), as pyca/cryptography writes them.

`generate` is the library's own key generation (its private key bytes are the 32-byte
seed); signing and verification use the pure mode with the empty context, as JOSE does
(draft-ietf-cose-dilithium).
"""

import base64
import json
import sys

import cryptography
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.backends.openssl.backend import backend
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

SCHEMES = {
    "ML-DSA-44": (mldsa.MLDSA44PrivateKey, mldsa.MLDSA44PublicKey),
    "ML-DSA-65": (mldsa.MLDSA65PrivateKey, mldsa.MLDSA65PublicKey),
    "ML-DSA-87": (mldsa.MLDSA87PrivateKey, mldsa.MLDSA87PublicKey),
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(op: dict) -> dict:
    private, public = SCHEMES[op["alg"]]
    if op["op"] == "generate":
        key = private.generate()
        return {"seed": b64(key.private_bytes_raw()), "pub": b64(key.public_key().public_bytes_raw())}
    if op["op"] == "keygen":
        key = private.from_seed_bytes(unb64(op["seed"]))
        return {"pub": b64(key.public_key().public_bytes_raw())}
    if op["op"] == "sign":
        key = private.from_seed_bytes(unb64(op["seed"]))
        return {"sig": b64(key.sign(unb64(op["msg"])))}
    if op["op"] == "pem":
        key = private.from_seed_bytes(unb64(op["seed"]))
        pkcs8 = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        spki = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        return {"pkcs8": pkcs8.decode(), "spki": spki.decode()}
    if op["op"] == "verify":
        try:
            public.from_public_bytes(unb64(op["pub"])).verify(unb64(op["sig"]), unb64(op["msg"]))
            return {"ok": True}
        except InvalidSignature:
            return {"ok": False}
    raise ValueError(f"unknown op {op['op']}")


request = json.load(sys.stdin)
answer = {
    "implementation": f"pyca/cryptography {cryptography.__version__} ({backend.openssl_version_text()})",
    "results": [run(op) for op in request["ops"]],
}
sys.stdout.write(json.dumps(answer) + "\n")
