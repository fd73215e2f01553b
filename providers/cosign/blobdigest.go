package cosign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// VerifyBlobDigest checks the signature files of a file known by its
// digest ("sha256:<hex>") alone, with the checks VerifyBlob makes against
// its bytes. An ECDSA signature is made over the SHA-256 of the bytes, so
// the digest is all it needs in key mode with cosign's key type (ECDSA
// P-256) and no transparency log: then decided is true and err says
// whether the files verify. Anything else (keyless, a Rekor lookup, which
// cosign makes from the bytes, another key type) is left undecided
// (decided false, err nil): the caller verifies the bytes with VerifyBlob.
func (s *Signer) VerifyBlobDigest(ctx context.Context, digest string, sig *state.BlobSignature) (decided bool, err error) {
	if err := s.enabled(); err != nil {
		return true, err
	}
	if s.mode != config.SigningKey || s.signing.TlogUpload || (sig != nil && len(sig.Certificate) > 0) {
		return false, nil
	}
	v := s.verifier
	if v == nil {
		v = s.sv
	}
	if v == nil {
		return false, nil
	}
	pub, err := v.PublicKey()
	if err != nil {
		return false, nil
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return false, nil
	}
	what := "verify the signature of file " + digest
	hexDigest, ok := strings.CutPrefix(digest, "sha256:")
	sum, herr := hex.DecodeString(hexDigest)
	if !ok || herr != nil || len(sum) != 32 {
		return true, fmt.Errorf("%s: not a sha256 digest", what)
	}
	if sig == nil || (len(bytes.TrimSpace(sig.Signature)) == 0 && len(sig.Bundle) == 0) {
		return true, fmt.Errorf("%s: no signature", what)
	}
	if len(sig.Bundle) > 0 {
		if err := s.verifyBlobBundleDigest(ctx, sum, sig); err != nil {
			return true, fmt.Errorf("%s: the Sigstore bundle: %w", what, err)
		}
	}
	if raw := bytes.TrimSpace(sig.Signature); len(raw) > 0 {
		// As cosign's blob verification reads a .sig: base64 of the
		// signature.
		dec, err := base64.StdEncoding.DecodeString(string(raw))
		if err != nil {
			return true, fmt.Errorf("%s: %w", what, err)
		}
		ev, err := signature.LoadECDSAVerifier(ec, crypto.SHA256)
		if err != nil {
			return true, fmt.Errorf("%s: %w", what, err)
		}
		if err := ev.VerifySignature(bytes.NewReader(dec), nil, signatureoptions.WithDigest(sum), signatureoptions.WithContext(ctx)); err != nil {
			return true, fmt.Errorf("%s: %w", what, err)
		}
	}
	return true, nil
}

// verifyBlobBundleDigest is verifyBlobBundle for a file known by its
// SHA-256 alone, in key mode.
func (s *Signer) verifyBlobBundleDigest(ctx context.Context, sum []byte, sig *state.BlobSignature) error {
	b, _, err := blobBundle(sig)
	if err != nil {
		return err
	}
	co, err := s.checkOpts(ctx, false)
	if err != nil {
		return err
	}
	bco, err := s.bundleCheckOpts(ctx, co)
	if err != nil {
		return err
	}
	if bco.TrustedMaterial == nil {
		return errors.New("no trusted material for the bundle")
	}
	_, err = cosignpkg.VerifyNewBundle(ctx, bco, sgverify.WithArtifactDigest("sha256", sum), b)
	return err
}
