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

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
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
// The log entry is a dsse entry, as cosign v3 makes: sigstore-go (and so
// cosign v3) refuses a DSSE bundle whose entry is of another kind, since
// it compares the entry's payload hash with the envelope's.
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
		if entry, err = s.logEnvelope(ctx, bs, statement, sig); err != nil {
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

// logEnvelope records a DSSE envelope in Rekor as a dsse entry.
func (s *Signer) logEnvelope(ctx context.Context, bs bundleSigner, payload, sig []byte) (*models.LogEntryAnon, error) {
	client, err := s.rekorClient()
	if err != nil {
		return nil, fmt.Errorf("create a Rekor client for %s: %w", s.signing.RekorURL, err)
	}
	type envSig struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	}
	env, err := json.Marshal(struct {
		PayloadType string   `json:"payloadType"`
		Payload     string   `json:"payload"`
		Signatures  []envSig `json:"signatures"`
	}{inTotoPayloadType, base64.StdEncoding.EncodeToString(payload), []envSig{{Sig: base64.StdEncoding.EncodeToString(sig)}}})
	if err != nil {
		return nil, err
	}
	signer, err := signerPEM(bs)
	if err != nil {
		return nil, err
	}
	entry, err := cosignpkg.TLogUploadDSSEEnvelope(ctx, client, env, signer)
	if err != nil {
		return nil, fmt.Errorf("upload to the transparency log at %s: %w", s.signing.RekorURL, err)
	}
	return entry, nil
}

// signerPEM is what a log entry names as the signer: the certificate, or
// the public key.
func signerPEM(bs bundleSigner) ([]byte, error) {
	if bs.cert != nil {
		return bs.cert, nil
	}
	pub, err := bs.sv.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("read the public key for Rekor: %w", err)
	}
	out, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("encode the public key for Rekor: %w", err)
	}
	return out, nil
}
