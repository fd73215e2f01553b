// Attestations of a chart manifest: an in-toto statement signed as a DSSE
// envelope, attached in the formats signing.format names, and read back and
// verified in every format:
//
//   - legacy: a layer of the `sha256-<hex>.att` tag, as `cosign attest` of
//     cosign v2 writes;
//   - bundle: a Sigstore bundle holding the envelope, as `cosign attest` of
//     cosign v3 writes: an OCI 1.1 referrer of the manifest, or a manifest
//     of the referrers fallback tag's index where the registry has no
//     referrers API. Bundles whose statement has cosign's signature
//     predicate are signatures, not attestations.

package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// AttestManifest signs statement (an in-toto statement naming
// repository@manifestDigest, with predicateType) and attaches it to the
// manifest in each of formats (config.FormatLegacy, config.FormatBundle);
// without formats, in those signing.format names:
//
//   - legacy: as `cosign attest --type <predicate>` of cosign v2 does, a
//     layer of media type application/vnd.dsse.envelope.v1+json under the
//     manifest's `.att` tag, annotated with the predicate type, with the
//     certificate in keyless mode and the Rekor entry (dsse) when
//     Signing.TlogUpload is set;
//   - bundle: as `cosign attest` of cosign v3 does, a Sigstore bundle of
//     the DSSE envelope (DSSEBundle) attached with PushBundle, annotated
//     with dev.sigstore.bundle.content = dsse-envelope and the predicate
//     type (dev.sigstore.bundle.predicateType).
//
// In keyless mode the formats written by one call share one certificate.
// It does not look for an equal attestation first: deciding what "equal"
// means is the caller's (the planner compares build definitions). A
// manifest that does not exist is an error wrapping state.ErrNotFound.
func (s *Signer) AttestManifest(ctx context.Context, repository, manifestDigest, predicateType string, statement []byte, formats ...config.SignatureFormat) error {
	if err := s.canSign(); err != nil {
		return err
	}
	ref, err := s.digestRef(repository, manifestDigest)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("attest %s", ref)
	if len(formats) == 0 {
		formats = s.signing.Format.Kinds()
	}
	signer := s.onceBundleSigner(ctx)
	for _, f := range formats {
		switch f {
		case config.FormatLegacy:
			err = s.attestLegacy(ctx, ref, predicateType, statement, signer)
		case config.FormatBundle:
			err = s.attestBundle(ctx, repository, ref, predicateType, statement, signer)
		default:
			err = fmt.Errorf("unknown attestation format %q", f)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// attestLegacy signs statement as a DSSE envelope and adds it as a layer
// of the manifest's `.att` tag.
func (s *Signer) attestLegacy(ctx context.Context, ref name.Digest, predicateType string, statement []byte, signer func() (bundleSigner, error)) error {
	se, err := s.signedEntity(ctx, ref)
	if err != nil {
		return err
	}
	bs, err := signer()
	if err != nil {
		return err
	}
	envelope, err := dsse.WrapSigner(bs.sv, ctypes.IntotoPayloadType).SignMessage(bytes.NewReader(statement), signatureoptions.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("sign the statement with %s: %w", s.signerName(), err)
	}
	return s.attachLegacyAttestation(ctx, ref, se, bs.sv, bs.cert, bs.chain, predicateType, envelope)
}

// attestBundle signs statement into a Sigstore bundle and attaches it to
// the manifest as `cosign attest` of cosign v3 does
// (WriteAttestationNewBundleFormat): a referrer, or under the referrers
// fallback tag.
func (s *Signer) attestBundle(ctx context.Context, repository string, ref name.Digest, predicateType string, statement []byte, signer func() (bundleSigner, error)) error {
	subject, err := s.resolveManifest(ctx, repository, ref.DigestStr())
	if isOrasNotFound(err) {
		return fmt.Errorf("manifest: %w", state.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	bs, err := signer()
	if err != nil {
		return err
	}
	b, err := s.dsseBundle(ctx, bs, statement)
	if err != nil {
		return err
	}
	_, err = s.PushBundle(ctx, repository, BundleReferrer{
		Subject: subject,
		Bundle:  b,
		Annotations: map[string]string{
			AnnotationBundleContent:       "dsse-envelope",
			AnnotationBundlePredicateType: predicateType,
		},
	})
	return err
}

// attachLegacyAttestation adds envelope as a layer of the `.att` tag.
func (s *Signer) attachLegacyAttestation(ctx context.Context, ref name.Digest, se oci.SignedEntity, sv signature.SignerVerifier, cert, chain []byte, predicateType string, envelope []byte) error {
	opts := []static.Option{
		static.WithLayerMediaType(ctypes.DssePayloadType),
		// cosign verify-attestation --type selects layers by it.
		static.WithAnnotations(map[string]string{"predicateType": predicateType}),
	}
	if cert != nil {
		opts = append(opts, static.WithCertChain(cert, chain))
	}
	if s.signing.TlogUpload {
		b, err := s.uploadEnvelopeToTlog(ctx, sv, cert, envelope)
		if err != nil {
			return err
		}
		opts = append(opts, static.WithBundle(b))
	}
	att, err := static.NewAttestation(envelope, opts...)
	if err != nil {
		return fmt.Errorf("build the attestation layer: %w", err)
	}
	var attach []mutate.SignOption
	if s.mode == config.SigningKey {
		attach = append(attach, mutate.WithDupeDetector(cremote.NewDupeDetector(sv)))
	}
	newSE, err := mutate.AttachAttestationToEntity(se, att, attach...)
	if err != nil {
		return fmt.Errorf("attach the attestation: %w", err)
	}
	if err := ociremote.WriteAttestations(ref.Repository, newSE, s.ociOptions(ctx)...); err != nil {
		return fmt.Errorf("push the attestation tag: %w", registryError(err))
	}
	return nil
}

// uploadEnvelopeToTlog records a DSSE envelope in Rekor (a dsse entry, as
// `cosign attest` makes by default) and returns the bundle that lets a
// verifier check the entry offline.
func (s *Signer) uploadEnvelopeToTlog(ctx context.Context, sv signature.SignerVerifier, certPEM, envelope []byte) (*cbundle.RekorBundle, error) {
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
	entry, err := cosignpkg.TLogUploadDSSEEnvelope(ctx, client, envelope, signer)
	if err != nil {
		return nil, fmt.Errorf("upload the attestation to the transparency log at %s: %w", s.signing.RekorURL, err)
	}
	return cbundle.EntryToBundle(entry), nil
}

// VerifyAttestations finds the attestations of repository@manifestDigest
// and verifies each against the configured key, or identity and Fulcio
// roots, as VerifySignatures does for signatures: its DSSE signature, its
// transparency log evidence when Signing.TlogUpload is set, and that its
// statement names manifestDigest. Verified lists those that pass, with
// their statements; what they attest is the caller's to judge. No
// attestation is no error.
func (s *Signer) VerifyAttestations(ctx context.Context, repository, manifestDigest string) (*state.AttestationState, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("read attestations of %s@%s", repository, manifestDigest)
	ref, err := s.digestRef(repository, manifestDigest)
	if err != nil {
		return nil, err
	}
	h, err := v1.NewHash(manifestDigest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	atts, err := s.readLegacyAttestations(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var co *cosignpkg.CheckOpts
	st := &state.AttestationState{Count: len(atts)}
	if len(atts) > 0 {
		if co, err = s.checkOpts(ctx, false); err != nil {
			return nil, fmt.Errorf("verify attestations of %s@%s: %w", repository, manifestDigest, err)
		}
		// The statement's subject must be this manifest: an attestation
		// copied from another manifest's tag is not valid here.
		lco := *co
		lco.ClaimVerifier = cosignpkg.IntotoSubjectClaimVerifier
		for _, att := range atts {
			if _, err := cosignpkg.VerifyBlobAttestation(ctx, att, h, &lco); err != nil {
				// Someone else's key, a tampered layer, an expired
				// certificate: not valid, and not an error of the read.
				continue
			}
			statement, predicateType, err := envelopeStatement(att)
			if err != nil {
				continue
			}
			st.Verified = append(st.Verified, state.VerifiedAttestation{Format: state.SignatureFormatLegacy, PredicateType: predicateType, Statement: statement})
		}
	}
	// With one format configured, a relctl provenance in the legacy place
	// is all a plan looks for (planner: any format's covers "legacy" and
	// "bundle"): the referrers API and the fallback tag, two requests and
	// their blobs per chart, are not read. "both" needs to know of each.
	if s.signing.Format != config.FormatBoth && relctlProvenance(st.Verified) {
		st.Reason = s.reason("attestation", st.Count, len(st.Verified))
		return st, nil
	}
	found, err := s.readBundles(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var bundles []foundBundle
	for _, b := range found {
		// cosign v3's signatures share the places; they are not
		// attestations, and are not counted here.
		if bundleIsAttestation(b.bundle) {
			bundles = append(bundles, b)
		}
	}
	if st.Count += len(bundles); st.Count == 0 {
		return &state.AttestationState{Reason: "no attestation"}, nil
	}
	if len(bundles) > 0 {
		if co == nil {
			if co, err = s.checkOpts(ctx, false); err != nil {
				return nil, fmt.Errorf("verify attestations of %s@%s: %w", repository, manifestDigest, err)
			}
		}
		bco, err := s.bundleCheckOpts(ctx, co)
		if err != nil {
			return nil, fmt.Errorf("verify attestations of %s@%s: %w", repository, manifestDigest, err)
		}
		for _, b := range bundles {
			statement, predicateType, err := s.verifyDSSEBundle(ctx, b.bundle, h, bco)
			if err != nil || predicateType == signPredicateType {
				continue
			}
			// One bundle listed both by the referrers API and under the
			// fallback tag is one attestation, in the first place found.
			st.Verified = append(st.Verified, state.VerifiedAttestation{Format: b.formats[0], PredicateType: predicateType, Statement: statement})
		}
	}
	st.Reason = s.reason("attestation", st.Count, len(st.Verified))
	return st, nil
}

// relctlProvenance reports whether one of the verified attestations is an
// SLSA provenance of relctl's build type.
func relctlProvenance(verified []state.VerifiedAttestation) bool {
	for _, v := range verified {
		if v.PredicateType != provenance.PredicateType {
			continue
		}
		var st struct {
			Predicate struct {
				BuildDefinition struct {
					BuildType string `json:"buildType"`
				} `json:"buildDefinition"`
			} `json:"predicate"`
		}
		if json.Unmarshal(v.Statement, &st) == nil && st.Predicate.BuildDefinition.BuildType == provenance.BuildType {
			return true
		}
	}
	return false
}

// readLegacyAttestations returns the layers of the manifest's `.att` tag;
// none when the tag does not exist.
func (s *Signer) readLegacyAttestations(ctx context.Context, ref name.Digest) ([]oci.Signature, error) {
	opts := s.ociOptions(ctx)
	tag, err := ociremote.AttestationTag(ref, opts...)
	if err != nil {
		return nil, err
	}
	// ociremote.Signatures turns a 404 on the tag into an empty list.
	sigs, err := ociremote.Signatures(tag, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tag, registryError(err))
	}
	list, err := sigs.Get()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tag, registryError(err))
	}
	return list, nil
}

// envelopeStatement returns the in-toto statement inside an attestation
// layer's DSSE envelope, and its predicate type.
func envelopeStatement(att oci.Signature) ([]byte, string, error) {
	raw, err := att.Payload()
	if err != nil {
		return nil, "", err
	}
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, "", err
	}
	statement, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, "", err
	}
	var head struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(statement, &head); err != nil {
		return nil, "", err
	}
	return statement, head.PredicateType, nil
}
