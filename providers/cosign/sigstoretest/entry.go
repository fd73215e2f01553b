package sigstoretest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/runtime"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	"github.com/sigstore/rekor/pkg/types/dsse"
	dsse_v001 "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

var errNotHashedRekord = errors.New("only hashedrekord v0.0.1 and dsse v0.0.1 entries are accepted")

// hashedRekord is the proposed entry; verify also checks its signature over
// the hash, as Rekor does before logging anything.
type hashedRekord struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Data struct {
			Hash struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"value"`
			} `json:"hash"`
		} `json:"data"`
		Signature struct {
			Content   []byte `json:"content"`
			PublicKey struct {
				Content []byte `json:"content"`
			} `json:"publicKey"`
		} `json:"signature"`
	} `json:"spec"`
}

// canonicalEntry is the body Rekor stores for a proposed hashedrekord: the
// same fields, the key or certificate re-encoded, canonical JSON. With
// verify, the signature must verify for the hash and key.
//
// A dsse entry (what `cosign attest` logs for an attestation) is
// canonicalized by Rekor's own dsse type, which verifies every signature of
// the envelope with the verifiers given; its body holds the envelope's and
// the payload's hashes and the signatures, never the envelope.
func canonicalEntry(raw []byte, verify bool) ([]byte, error) {
	var e hashedRekord
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	if e.Kind == dsse.KIND && e.APIVersion == dsse_v001.APIVERSION {
		return canonicalDSSE(raw)
	}
	if e.Kind != "hashedrekord" || e.APIVersion != "0.0.1" || e.Spec.Data.Hash.Algorithm != "sha256" {
		return nil, errNotHashedRekord
	}
	digest, err := hex.DecodeString(e.Spec.Data.Hash.Value)
	if err != nil || len(digest) != 32 {
		return nil, errors.New("data.hash.value is not a SHA-256 digest")
	}
	pub, pemOut, err := publicKey(e.Spec.Signature.PublicKey.Content)
	if err != nil {
		return nil, err
	}
	if verify {
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || !ecdsa.VerifyASN1(k, digest, e.Spec.Signature.Content) {
			return nil, errors.New("the signature does not verify for the hash and key")
		}
	}
	e.Spec.Signature.PublicKey.Content = pemOut
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return jsoncanonicalizer.Transform(b)
}

// publicKey reads a PEM certificate or public key.
func publicKey(p []byte) (crypto.PublicKey, []byte, error) {
	if certs, err := cryptoutils.UnmarshalCertificatesFromPEM(p); err == nil && len(certs) > 0 {
		out, err := cryptoutils.MarshalCertificateToPEM(certs[0])
		return certs[0].PublicKey, out, err
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(p)
	if err != nil {
		return nil, nil, fmt.Errorf("signature.publicKey: %w", err)
	}
	out, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	return pub, out, err
}

// canonicalDSSE is the body Rekor stores for a proposed dsse entry (the
// kind cosign v3 logs for bundle signatures and attestations): made by
// rekor's own dsse type, which checks each envelope signature against its
// verifier and keeps the envelope and payload hashes.
func canonicalDSSE(raw []byte) ([]byte, error) {
	pe, err := models.UnmarshalProposedEntry(bytes.NewReader(raw), runtime.JSONConsumer())
	if err != nil {
		return nil, err
	}
	entry, err := types.CreateVersionedEntry(pe)
	if err != nil {
		return nil, err
	}
	body, err := types.CanonicalizeEntry(context.Background(), entry)
	if err != nil {
		return nil, err
	}
	return jsoncanonicalizer.Transform(body)
}
