package cosign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/rekor/pkg/generated/models"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// SignBlob signs a file's bytes as `cosign sign-blob` does. With
// signing.format "legacy" (or "both") the result holds the base64
// signature (the .sig asset) and, in keyless mode, the PEM signing
// certificate (the .pem asset), which `cosign verify-blob --signature
// --certificate` accept. With "bundle" (or "both") it holds the Sigstore
// bundle `cosign sign-blob --bundle` writes (the .sigstore.json asset),
// which `cosign verify-blob --bundle` accepts. All come from one signing:
// the bundle carries the very signature of the .sig, and the certificate
// of the .pem.
//
// With Signing.TlogUpload the signature is recorded in Rekor; the bundle
// carries the entry, the .sig does not (VerifyBlob then finds the entry
// online).
func (s *Signer) SignBlob(ctx context.Context, blob []byte) (*state.BlobSignature, error) {
	if err := s.canSign(); err != nil {
		return nil, err
	}
	what := "sign file " + blobName(blob)
	bs, err := s.newBundleSigner(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	raw, err := bs.sv.SignMessage(bytes.NewReader(blob), signatureoptions.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s with %s: %w", what, s.signerName(), err)
	}
	var entry *models.LogEntryAnon
	if s.signing.TlogUpload {
		if entry, err = s.logEntry(ctx, bs.sv, bs.cert, raw, blob); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	out := &state.BlobSignature{}
	if s.signing.Format.Writes(config.FormatLegacy) {
		out.Signature = []byte(base64.StdEncoding.EncodeToString(raw))
		if bs.cert != nil {
			out.Certificate = append([]byte(nil), bs.cert...)
		}
	}
	if s.signing.Format.Writes(config.FormatBundle) {
		if out.Bundle, err = s.blobBundle(bs, blob, raw, entry); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return out, nil
}

// VerifyBlob checks the signature files of blob, together: the .sig (and
// in keyless mode the .pem, whose certificate must chain to the Fulcio
// roots and name the configured identity) and the Sigstore bundle, each
// that sig holds. When it holds both a .sig and a bundle, they must be one
// signing: the same signature (and certificate). A nil error means valid.
func (s *Signer) VerifyBlob(ctx context.Context, blob []byte, sig *state.BlobSignature) error {
	if err := s.enabled(); err != nil {
		return err
	}
	what := "verify the signature of file " + blobName(blob)
	if sig == nil || (len(bytes.TrimSpace(sig.Signature)) == 0 && len(sig.Bundle) == 0) {
		return fmt.Errorf("%s: no signature", what)
	}
	if len(sig.Bundle) > 0 {
		if err := s.verifyBlobBundle(ctx, blob, sig); err != nil {
			return fmt.Errorf("%s: the Sigstore bundle: %w", what, err)
		}
		if len(bytes.TrimSpace(sig.Signature)) == 0 {
			return nil
		}
	}
	var opts []static.Option
	if len(sig.Certificate) > 0 {
		cert, err := certificatePEM(sig.Certificate)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		opts = append(opts, static.WithCertChain(cert, nil))
	} else if s.mode == config.SigningKeyless {
		return fmt.Errorf("%s: keyless signature without its certificate", what)
	}
	ociSig, err := static.NewSignature(blob, string(bytes.TrimSpace(sig.Signature)), opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	co, err := s.checkOpts(ctx, false)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := cosignpkg.VerifyBlobSignature(ctx, ociSig, co); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// certificatePEM accepts the certificate as PEM, or base64 of PEM (what
// `cosign sign-blob --b64 --output-certificate` writes).
func certificatePEM(b []byte) ([]byte, error) {
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("-----BEGIN")) {
		return b, nil
	}
	dec, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(dec), []byte("-----BEGIN")) {
		return nil, errors.New("the certificate is neither PEM nor base64 of PEM")
	}
	return bytes.TrimSpace(dec), nil
}

// blobName names a file by content, the only name this package has for it.
func blobName(blob []byte) string {
	return fmt.Sprintf("sha256:%x (%d bytes)", sha256.Sum256(blob), len(blob))
}
