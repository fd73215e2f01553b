// Sigstore's shared infrastructure: what signing records in the transparency
// log, and what verification trusts (Fulcio roots, CT and Rekor keys).

package cosign

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	rekorclient "github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/relctl/relctl/config"
)

// verifyMaterial is what verification trusts beyond the key or identity:
// the Fulcio roots (keyless), the CT log keys (keyless with SCT checks) and
// the Rekor client and keys (when the transparency log is in use). Each
// nil field is one that the spec does not need, so that an offline setup
// (key mode without tlog, or test roots without SCT) never touches TUF.
type verifyMaterial struct {
	roots         *x509.CertPool
	intermediates *x509.CertPool
	ctKeys        *cosignpkg.TrustedTransparencyLogPubKeys
	rekor         *rekorclient.Rekor
	rekorKeys     *cosignpkg.TrustedTransparencyLogPubKeys
	// trusted is the spec's trusted_root, when set: the fields above are
	// drawn from it, and it is kept for verifiers that take Sigstore's
	// trusted material whole (sigstore-go, bundles). Nil otherwise.
	trusted root.TrustedMaterial
}

// material loads the verification material once per Signer: the public
// instance's keys come from TUF, which is slow and may be remote. A failure
// is not kept, so a later call tries again.
func (s *Signer) material(ctx context.Context) (*verifyMaterial, error) {
	s.verifyMu.Lock()
	defer s.verifyMu.Unlock()
	if s.verifyMat != nil {
		return s.verifyMat, nil
	}
	m, err := s.loadMaterial(ctx)
	if err != nil {
		return nil, err
	}
	s.verifyMat = m
	return m, nil
}

func (s *Signer) loadMaterial(ctx context.Context) (*verifyMaterial, error) {
	if s.signing.TrustedRoot != "" {
		return s.trustedRootMaterial()
	}
	m := &verifyMaterial{}
	if s.mode == config.SigningKeyless {
		if s.opts.FulcioRoots != nil {
			m.roots = s.opts.FulcioRoots
		} else {
			roots, intermediates, err := fulcioRoots()
			if err != nil {
				return nil, fmt.Errorf("load Sigstore's Fulcio roots and intermediates (TUF): %w", err)
			}
			m.roots, m.intermediates = roots, intermediates
		}
		if !s.opts.SkipSCT {
			keys, err := cosignpkg.GetCTLogPubs(ctx)
			if err != nil {
				return nil, fmt.Errorf("load the certificate transparency log keys (TUF): %w", err)
			}
			m.ctKeys = keys
		}
	}
	if s.signing.TlogUpload {
		client, err := s.rekorClient()
		if err != nil {
			return nil, fmt.Errorf("create a Rekor client for %s: %w", s.signing.RekorURL, err)
		}
		keys, err := cosignpkg.GetRekorPubs(ctx)
		if err != nil {
			return nil, fmt.Errorf("load the Rekor public keys (TUF): %w", err)
		}
		m.rekor, m.rekorKeys = client, keys
	}
	return m, nil
}

// uploadToTlog records a signature over signed in Rekor (a hashedrekord
// entry, as `cosign sign` makes) and returns the bundle that lets a
// verifier check the entry offline. In key mode the entry carries the
// public key, which Rekor then publishes: public-good Rekor is public.
func (s *Signer) uploadToTlog(ctx context.Context, sv signature.SignerVerifier, certPEM, sig, signed []byte) (*cbundle.RekorBundle, error) {
	entry, err := s.logEntry(ctx, sv, certPEM, sig, signed)
	if err != nil {
		return nil, err
	}
	return cbundle.EntryToBundle(entry), nil
}

// logEntry records a signature over signed in Rekor as a hashedrekord
// entry and returns the entry as Rekor answered it: with its signed entry
// timestamp and inclusion proof, what a Sigstore bundle carries.
func (s *Signer) logEntry(ctx context.Context, sv signature.SignerVerifier, certPEM, sig, signed []byte) (*models.LogEntryAnon, error) {
	client, err := s.rekorClient()
	if err != nil {
		return nil, fmt.Errorf("create a Rekor client for %s: %w", s.signing.RekorURL, err)
	}
	signer := certPEM
	if signer == nil {
		pub, err := sv.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("read the public key for Rekor: %w", err)
		}
		if signer, err = cryptoutils.MarshalPublicKeyToPEM(pub); err != nil {
			return nil, fmt.Errorf("encode the public key for Rekor: %w", err)
		}
	}
	sum := sha256.New()
	sum.Write(signed)
	entry, err := cosignpkg.TLogUpload(ctx, client, sig, sum, signer)
	if err != nil {
		return nil, fmt.Errorf("upload to the transparency log at %s: %w", s.signing.RekorURL, err)
	}
	return entry, nil
}

// bundleCheckOpts extends co with what sigstore-go's verifier, which checks
// Sigstore bundles, needs: trusted material in its own form. In key mode
// that is the Rekor keys (when the log is in use; cosign adds the key
// itself). In keyless mode it is the spec's trusted_root when one is set
// (a private Sigstore: its Fulcio, CT logs and Rekor, no TUF), else
// Sigstore's trusted root from TUF. A private Fulcio given as
// Options.FulcioRoots alone cannot be turned into one (a CertPool does not
// list its certificates): the options then carry no trusted material, and
// verifyBundle checks the certificate with cosign's own chain and identity
// checks instead. The transparency log requirement stays co's, which
// follows tlog_upload.
func (s *Signer) bundleCheckOpts(ctx context.Context, co *cosignpkg.CheckOpts) (*cosignpkg.CheckOpts, error) {
	bco := *co
	bco.ClaimVerifier = nil
	if s.mode == config.SigningKeyless {
		mat, err := s.material(ctx)
		if err != nil {
			return nil, err
		}
		switch {
		case mat.trusted != nil:
			bco.TrustedMaterial = mat.trusted
		case s.opts.FulcioRoots != nil:
			return &bco, nil
		default:
			tm, err := cosignpkg.TrustedRoot()
			if err != nil {
				return nil, fmt.Errorf("load Sigstore's trusted root (TUF): %w", err)
			}
			bco.TrustedMaterial = tm
		}
		// sigstore-go reads everything from the trusted material, which
		// CheckOpts says excludes these.
		bco.RootCerts, bco.IntermediateCerts, bco.CTLogPubKeys, bco.RekorPubKeys = nil, nil, nil, nil
		return &bco, nil
	}
	logs := map[string]*root.TransparencyLog{}
	if co.RekorPubKeys != nil {
		for id, k := range co.RekorPubKeys.Keys {
			raw, err := hex.DecodeString(id)
			if err != nil {
				return nil, fmt.Errorf("Rekor log ID %q: %w", id, err)
			}
			logs[id] = &root.TransparencyLog{BaseURL: s.signing.RekorURL, ID: raw, HashFunc: crypto.SHA256, PublicKey: k.PubKey, SignatureHashFunc: crypto.SHA256}
		}
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, nil, nil, nil, logs)
	if err != nil {
		return nil, fmt.Errorf("build the trusted material for bundles: %w", err)
	}
	bco.TrustedMaterial = tr
	bco.RekorPubKeys = nil
	return &bco, nil
}
