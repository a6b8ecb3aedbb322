// ML-DSA peer for tests/ml_dsa.rs (interop): @noble/post-quantum, a pure-JavaScript
// FIPS 204 implementation. Reads one JSON request on stdin, writes one JSON answer.
//
//   {"ops": [{"op": "generate", "alg": "ML-DSA-44"},
//            {"op": "keygen",   "alg": ..., "seed": B64U},
//            {"op": "sign",     "alg": ..., "seed": B64U, "msg": B64U},
//            {"op": "verify",   "alg": ..., "pub": B64U, "msg": B64U, "sig": B64U}]}
//   -> {"implementation": "...",
//       "results": [{"seed": B64U, "pub": B64U}, {"pub": B64U}, {"sig": B64U}, {"ok": BOOL}]}
//
// `generate` makes a new key pair (a seed from this runtime's random generator); keys are
// derived from the 32-byte seed (ML-DSA.KeyGen_internal); signing and verification use the
// pure mode with the empty context, as JOSE does (draft-ietf-cose-dilithium).
// ML_DSA_INTEROP_NODE_MODULES names the node_modules directory holding the package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.ML_DSA_INTEROP_NODE_MODULES;
if (!modules) {
  throw new Error('ML_DSA_INTEROP_NODE_MODULES is not set');
}
const pkg = join(modules, '@noble', 'post-quantum');
const { ml_dsa44, ml_dsa65, ml_dsa87 } = await import(pathToFileURL(join(pkg, 'ml-dsa.js')).href);
const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
const schemes = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 };

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64url'));

const request = JSON.parse(readFileSync(0, 'utf8'));
const results = request.ops.map((op) => {
  const scheme = schemes[op.alg];
  if (!scheme) {
    throw new Error(`unknown alg ${op.alg}`);
  }
  switch (op.op) {
    case 'generate': {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      return { seed: b64(seed), pub: b64(scheme.keygen(seed).publicKey) };
    }
    case 'keygen':
      return { pub: b64(scheme.keygen(unb64(op.seed)).publicKey) };
    case 'sign':
      return { sig: b64(scheme.sign(unb64(op.msg), scheme.keygen(unb64(op.seed)).secretKey)) };
    case 'verify':
      return { ok: scheme.verify(unb64(op.sig), unb64(op.msg), unb64(op.pub)) };
    default:
      throw new Error(`unknown op ${op.op}`);
  }
});
process.stdout.write(JSON.stringify({ implementation: `@noble/post-quantum ${version}`, results }) + '\n');
