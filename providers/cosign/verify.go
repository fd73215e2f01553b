package cosign

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// VerifySignatures finds the signatures of repository@manifestDigest in
// every place cosign stores them — the legacy signature tag
// (`sha256-<hex>.sig`), the OCI 1.1 referrers API and the referrers fallback
// tag (`sha256-<hex>`, where cosign v3 puts its Sigstore bundles on a
// registry without the referrers API) — and verifies each against the
// configured key, or in keyless mode against the configured identity and
// Fulcio roots. Each signature must name manifestDigest. Any valid
// signature, in any format, makes the manifest signed; Formats says where
// the valid ones are. The legacy tag is read first; when one of its
// signatures verifies, the bundle places are not read.
//
// No signature anywhere is no error: Count is 0. Transparency log
// evidence is required only when Signing.TlogUpload is set (it then needs
// Rekor, online). A keyless signature made without the log cannot be
// verified after its certificate expires (ten minutes): it then counts as
// not valid.
func (s *Signer) VerifySignatures(ctx context.Context, repository, manifestDigest string) (*state.SignatureState, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	sigs, h, err := s.readSignatures(ctx, repository, manifestDigest)
	if err != nil {
		return nil, err
	}
	var co *cosignpkg.CheckOpts
	opts := func() (*cosignpkg.CheckOpts, error) {
		if co != nil {
			return co, nil
		}
		var err error
		if co, err = s.checkOpts(ctx, true); err != nil {
			return nil, fmt.Errorf("verify signatures of %s@%s: %w", repository, manifestDigest, err)
		}
		return co, nil
	}
	valid := 0
	formats := map[string]bool{}
	for _, sig := range sigs {
		co, err := opts()
		if err != nil {
			return nil, err
		}
		// A layer that fails is simply not valid: someone else's key, a
		// tampered layer, an expired certificate. None of these is an
		// error of the read.
		if _, err := cosignpkg.VerifyImageSignature(ctx, sig, h, co); err == nil {
			valid++
			formats[state.SignatureFormatLegacy] = true
		}
	}
	count := len(sigs)
	// When the legacy signatures satisfy the signing block, the bundles
	// are not read: that saves the referrers request, the fallback tag's,
	// and their blobs. Count and Formats then say what was read.
	if !s.satisfied(formats) {
		ref, err := s.digestRef(repository, manifestDigest)
		if err != nil {
			return nil, err
		}
		found, err := s.readBundles(ctx, ref)
		if err != nil {
			return nil, err
		}
		// Attestation bundles (provenance, SBOM) share the places: they
		// are not signatures, counted or not.
		var bundles []foundBundle
		for _, b := range found {
			if !bundleIsAttestation(b.bundle) {
				bundles = append(bundles, b)
			}
		}
		count += len(bundles)
		if len(bundles) > 0 {
			co, err := opts()
			if err != nil {
				return nil, err
			}
			bco, err := s.bundleCheckOpts(ctx, co)
			if err != nil {
				return nil, fmt.Errorf("verify signatures of %s@%s: %w", repository, manifestDigest, err)
			}
			for _, b := range bundles {
				if err := s.verifyBundle(ctx, b.bundle, h, bco); err == nil {
					valid++
					for _, f := range b.formats {
						formats[f] = true
					}
				}
			}
		}
	}
	if count == 0 {
		return &state.SignatureState{Reason: "no signature"}, nil
	}
	st := &state.SignatureState{Valid: valid > 0, Count: count}
	for _, f := range state.SignatureFormats {
		if formats[f] {
			st.Formats = append(st.Formats, f)
		}
	}
	st.Reason = s.reason("signature", count, valid)
	if len(st.Formats) > 0 {
		st.Reason += ": " + strings.Join(st.Formats, ", ")
	}
	return st, nil
}

// satisfied reports whether valid signatures in these formats are all the
// signing block asks for, so that no other format need be read: any valid
// signature makes a manifest signed, but format = "bundle" or "both" must
// know whether a bundle is there, to write one only when it is missing.
func (s *Signer) satisfied(formats map[string]bool) bool {
	if len(formats) == 0 {
		return false
	}
	if s.signing.Format.Writes(config.FormatBundle) {
		return formats[state.SignatureFormatReferrer] || formats[state.SignatureFormatFallbackTag]
	}
	return true
}

// readSignatures returns the signature layers of a manifest; none when the
// signature tag does not exist.
func (s *Signer) readSignatures(ctx context.Context, repository, manifestDigest string) ([]oci.Signature, v1.Hash, error) {
	ref, err := s.digestRef(repository, manifestDigest)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	h, err := v1.NewHash(manifestDigest)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("read signatures of %s@%s: %w", repository, manifestDigest, err)
	}
	tag, err := ociremote.SignatureTag(ref, s.ociOptions(ctx)...)
	if err != nil {
		return nil, h, fmt.Errorf("read signatures of %s@%s: %w", repository, manifestDigest, err)
	}
	list, err := s.signatureLayers(ctx, ref, tag)
	if err != nil {
		return nil, h, fmt.Errorf("read signatures of %s@%s (%s): %w", repository, manifestDigest, tag, registryError(err))
	}
	return list, h, nil
}

// reason sums up count signatures or attestations (noun), valid of them
// for the configured key or identity.
func (s *Signer) reason(noun string, count, valid int) string {
	switch {
	case valid == count && count == 1:
		return "1 valid " + noun
	case valid == count:
		return fmt.Sprintf("%d valid %ss", valid, noun)
	case valid > 0:
		return fmt.Sprintf("%d %ss, %d valid", count, noun, valid)
	}
	against := "the configured key"
	if s.mode == config.SigningKeyless {
		against = "the configured identity"
	}
	if count == 1 {
		return "1 " + noun + ", not valid for " + against
	}
	return fmt.Sprintf("%d %ss, none valid for %s", count, noun, against)
}

// checkOpts builds cosign's verification options. image selects the claim
// check of image signatures (the payload must name the digest); blob
// signatures have no claim.
func (s *Signer) checkOpts(ctx context.Context, image bool) (*cosignpkg.CheckOpts, error) {
	mat, err := s.material(ctx)
	if err != nil {
		return nil, err
	}
	co := &cosignpkg.CheckOpts{
		RegistryClientOpts: s.ociOptions(ctx),
		IgnoreTlog:         !s.signing.TlogUpload,
		RekorClient:        mat.rekor,
		RekorPubKeys:       mat.rekorKeys,
	}
	if image {
		co.ClaimVerifier = cosignpkg.SimpleClaimVerifier
	}
	if s.mode == config.SigningKey {
		co.SigVerifier = s.sv
		if s.verifier != nil {
			co.SigVerifier = s.verifier
		}
		return co, nil
	}
	co.RootCerts = mat.roots
	co.IntermediateCerts = mat.intermediates
	co.IgnoreSCT = s.opts.SkipSCT
	co.CTLogPubKeys = mat.ctKeys
	co.Identities = []cosignpkg.Identity{{
		Issuer:        s.signing.Identity.Issuer,
		SubjectRegExp: s.signing.Identity.SubjectRegexp,
	}}
	return co, nil
}
