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
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// SignBlob signs a file's bytes as `cosign sign-blob` does: the result is
// the base64 signature (the .sig asset) and, in keyless mode, the PEM
// signing certificate (the .pem asset), which `cosign verify-blob
// --signature --certificate` accept.
//
// With Signing.TlogUpload the signature is recorded in Rekor, but the Rekor
// bundle is not returned (state.BlobSignature has no place for it):
// VerifyBlob then finds the entry online.
func (s *Signer) SignBlob(ctx context.Context, blob []byte) (*state.BlobSignature, error) {
	if err := s.canSign(); err != nil {
		return nil, err
	}
	what := "sign file " + blobName(blob)
	sv, cert, _, err := s.signerForOne(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	raw, err := sv.SignMessage(bytes.NewReader(blob), signatureoptions.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s with %s: %w", what, s.signerName(), err)
	}
	if s.signing.TlogUpload {
		if _, err := s.uploadToTlog(ctx, sv, cert, raw, blob); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	out := &state.BlobSignature{Signature: []byte(base64.StdEncoding.EncodeToString(raw))}
	if cert != nil {
		out.Certificate = append([]byte(nil), cert...)
	}
	return out, nil
}

// VerifyBlob checks that sig is a valid signature of blob for the
// configured key, or in keyless mode that its certificate chains to the
// Fulcio roots and names the configured identity. A nil error means valid.
func (s *Signer) VerifyBlob(ctx context.Context, blob []byte, sig *state.BlobSignature) error {
	if err := s.enabled(); err != nil {
		return err
	}
	what := "verify the signature of file " + blobName(blob)
	if sig == nil || len(bytes.TrimSpace(sig.Signature)) == 0 {
		return fmt.Errorf("%s: no signature", what)
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
