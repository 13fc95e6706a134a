"""Fixtures for the AIGC-label tests: real files made at test time."""

from __future__ import annotations

import datetime
import os

import cv2
import numpy as np
import pytest

from watermark import samples


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    return samples.make_image("scene", 11, size=(480, 640))


@pytest.fixture(scope="session")
def video_bytes(tmp_path_factory) -> bytes:
    """A 4 s, 10 fps MP4 (moov after mdat, as OpenCV writes it)."""
    path = str(tmp_path_factory.mktemp("video") / "v.mp4")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    assert writer.isOpened()
    rng = np.random.default_rng(0)
    base = samples.make_image("texture", 5, size=(240, 320))
    for i in range(40):
        frame = np.roll(base, i * 3, axis=1).copy()
        frame[:10, :10] = rng.integers(0, 255, 3)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    with open(path, "rb") as fh:
        return fh.read()


@pytest.fixture(scope="session")
def c2pa_signer():
    """A throwaway CA + signing certificate: c2pa-python signs offline with it."""
    import c2pa
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=2)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "modpipe test")])

    def usage(**on) -> x509.KeyUsage:
        flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                     encipher_only=False, decipher_only=False)
        flags.update(on)
        return x509.KeyUsage(**flags)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("modpipe test CA")).issuer_name(name("modpipe test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("modpipe test signer")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    info = c2pa.C2paSignerInfo(alg=c2pa.C2paSigningAlg.ES256, sign_cert=chain, private_key=pem, ta_url=None)
    return c2pa.Signer.from_info(info)


@pytest.fixture(scope="session")
def ocr():
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()

    def read(arr: np.ndarray) -> str:
        result, _ = engine(arr)
        return " ".join(r[1] for r in (result or []))

    return read
