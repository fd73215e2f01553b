// Signing in the Sigstore bundle format: the DSSE bundle cosign v3 writes
// for `cosign sign` (and, with another statement, `cosign attest`), and the
// blob bundle `cosign sign-blob --bundle` writes.

package cosign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/tle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"
)

// inTotoStatementType is the _type of an in-toto v1 statement.
const inTotoStatementType = "https://in-toto.io/Statement/v1"

// signStatement is the in-toto statement cosign v3 signs for `cosign sign`
// (cmd/cosign/cli/sign/sign.go, signDigestBundle): the manifest digest as
// the only subject, cosign's signature predicate type, an empty predicate.
func signStatement(algorithm, hex string) ([]byte, error) {
	return json.Marshal(struct {
		Type          string            `json:"_type"`
		Subject       []statementDigest `json:"subject"`
		PredicateType string            `json:"predicateType"`
		Predicate     struct{}          `json:"predicate"`
	}{
		Type:          inTotoStatementType,
		Subject:       []statementDigest{{Digest: map[string]string{algorithm: hex}}},
		PredicateType: signPredicateType,
	})
}

type statementDigest struct {
	Digest map[string]string `json:"digest"`
}

// pae is DSSE's pre-authentication encoding: the bytes a DSSE signature
// signs.
func pae(payloadType string, payload []byte) []byte {
	return []byte(fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload))
}

// bundleSigner is what signs one bundle: the key, or an ephemeral key with
// its Fulcio certificate (PEM).
type bundleSigner struct {
	sv          signature.SignerVerifier
	cert, chain []byte
}

// newBundleSigner returns the key, or certifies a fresh ephemeral key.
func (s *Signer) newBundleSigner(ctx context.Context) (bundleSigner, error) {
	sv, cert, chain, err := s.signerForOne(ctx)
	if err != nil {
		return bundleSigner{}, err
	}
	return bundleSigner{sv: sv, cert: cert, chain: chain}, nil
}

// DSSEBundle signs an in-toto statement as a DSSE envelope and returns the
// Sigstore bundle (v0.3 JSON) that holds it, as cosign v3 makes for `cosign
// sign` and `cosign attest`: the key's hint or the Fulcio certificate as
// verification material and, with Signing.TlogUpload, the transparency log
// entry with its inclusion proof. Pass the bundle to PushBundle.
//
// The log entry is a hashedrekord of the envelope's signature over its PAE
// bytes; cosign v3 logs a dsse entry instead. Verifiers (sigstore-go,
// cosign v3) check that the entry's signature and key are the bundle's,
// which both satisfy.
func (s *Signer) DSSEBundle(ctx context.Context, statement []byte) ([]byte, error) {
	if err := s.canSign(); err != nil {
		return nil, err
	}
	bs, err := s.newBundleSigner(ctx)
	if err != nil {
		return nil, err
	}
	return s.dsseBundle(ctx, bs, statement)
}

func (s *Signer) dsseBundle(ctx context.Context, bs bundleSigner, statement []byte) ([]byte, error) {
	signed := pae(inTotoPayloadType, statement)
	sig, err := bs.sv.SignMessage(bytes.NewReader(signed), signatureoptions.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("sign the statement with %s: %w", s.signerName(), err)
	}
	var entry *models.LogEntryAnon
	if s.signing.TlogUpload {
		if entry, err = s.logEntry(ctx, bs.sv, bs.cert, sig, signed); err != nil {
			return nil, err
		}
	}
	return s.bundleJSON(bs, entry, &protobundle.Bundle{
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     statement,
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	})
}

// blobBundle is the bundle `cosign sign-blob --bundle` writes for a
// signature sig of blob: the message digest and the very signature of the
// .sig file, so that both are one signing.
func (s *Signer) blobBundle(bs bundleSigner, blob, sig []byte, entry *models.LogEntryAnon) ([]byte, error) {
	sum := sha256.Sum256(blob)
	return s.bundleJSON(bs, entry, &protobundle.Bundle{
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum[:]},
			Signature:     sig,
		}},
	})
}

// bundleJSON completes b with its media type and verification material
// (v0.3: the leaf certificate alone, or the key's hint) and the log entry,
// and encodes it as JSON.
func (s *Signer) bundleJSON(bs bundleSigner, entry *models.LogEntryAnon, b *protobundle.Bundle) ([]byte, error) {
	vm := &protobundle.VerificationMaterial{}
	if bs.cert != nil {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM(bs.cert)
		if err != nil || len(certs) == 0 {
			return nil, fmt.Errorf("read the signing certificate: %v", err)
		}
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}}
	} else {
		hint, err := keyHint(bs.sv)
		if err != nil {
			return nil, err
		}
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint}}
	}
	if entry != nil {
		e, err := tle.GenerateTransparencyLogEntry(*entry)
		if err != nil {
			return nil, fmt.Errorf("read the transparency log entry: %w", err)
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{e}
	}
	b.MediaType = BundleMediaType
	b.VerificationMaterial = vm
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode the Sigstore bundle: %w", err)
	}
	return out, nil
}

// keyHint is the public key's hint as sigstore-go writes it: base64 of the
// SHA-256 of its DER encoding.
func keyHint(v signature.Verifier) (string, error) {
	pub, err := v.PublicKey()
	if err != nil {
		return "", fmt.Errorf("read the public key: %w", err)
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "", fmt.Errorf("encode the public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}
