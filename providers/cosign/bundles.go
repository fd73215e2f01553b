// Sigstore bundles, the signature format of cosign v3: read from the OCI 1.1
// referrers API and from the referrers fallback tag, and verified.

package cosign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

const (
	// signPredicateType is the predicate of the in-toto statement cosign v3
	// signs for `cosign sign`. Other predicates under the same key are
	// attestations (SBOM, provenance), not signatures of the manifest.
	signPredicateType = "https://sigstore.dev/cosign/sign/v1"
	// inTotoPayloadType is the DSSE payload type of an in-toto statement.
	inTotoPayloadType = "application/vnd.in-toto+json"
)

// foundBundle is one Sigstore bundle attached to a manifest, with the
// formats (places) it was found in.
type foundBundle struct {
	digest  string
	formats []string
	bundle  *sgbundle.Bundle
}

// readBundles lists the Sigstore bundles attached to ref: those the
// referrers API lists, then those in the fallback tag's index. A registry
// without the referrers API (404, 400, 406, or an answer that is not an
// index) is no error; cosign v3 then writes the fallback tag instead. A
// referrer that is not a bundle (someone's SBOM as a plain artifact) is
// skipped.
func (s *Signer) readBundles(ctx context.Context, ref name.Digest) ([]foundBundle, error) {
	var out []foundBundle
	byDigest := map[string]int{}
	add := func(format string, idx *v1.IndexManifest) error {
		if idx == nil {
			return nil
		}
		for _, m := range idx.Manifests {
			// The descriptor's artifactType cannot select bundles:
			// go-containerregistry writes the config media type
			// (application/vnd.oci.empty.v1+json) into the fallback index.
			// The bundle layer's media type decides, in ociremote.Bundle.
			if i, ok := byDigest[m.Digest.String()]; ok {
				out[i].formats = append(out[i].formats, format)
				continue
			}
			b, err := ociremote.Bundle(ref.Context().Digest(m.Digest.String()), s.ociOptions(ctx)...)
			if err != nil {
				if isUnauthorized(err) {
					return registryError(err)
				}
				// Not a bundle, or an unreadable one: not a signature.
				continue
			}
			byDigest[m.Digest.String()] = len(out)
			out = append(out, foundBundle{digest: m.Digest.String(), formats: []string{format}, bundle: b})
		}
		return nil
	}
	api, err := s.referrersAPI(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("list the referrers of %s: %w", ref, registryError(err))
	}
	if err := add(state.SignatureFormatReferrer, api); err != nil {
		return nil, fmt.Errorf("read the referrers of %s: %w", ref, err)
	}
	tag := ref.Context().Tag(fallbackTag(ref))
	fallback, err := s.fallbackIndex(ctx, tag)
	if err != nil {
		return nil, fmt.Errorf("read the referrers fallback tag %s: %w", tag, registryError(err))
	}
	if err := add(state.SignatureFormatFallbackTag, fallback); err != nil {
		return nil, fmt.Errorf("read the referrers fallback tag %s: %w", tag, err)
	}
	return out, nil
}

// fallbackTag is the OCI 1.1 referrers fallback tag of a digest:
// `sha256-<hex>`, cosign's signature tag without `.sig`.
func fallbackTag(ref name.Digest) string {
	return strings.Replace(ref.DigestStr(), ":", "-", 1)
}

// referrersAPI asks the registry's referrers endpoint for ref's referrers.
// It does not fall back to the tag itself (go-containerregistry's
// remote.Referrers does, silently), so the caller knows where each bundle
// was found. Nil means the registry has no referrers API.
func (s *Signer) referrersAPI(ctx context.Context, ref name.Digest) (*v1.IndexManifest, error) {
	repo := ref.Context()
	auth, err := authn.Resolve(ctx, s.registryKeychain(), repo)
	if err != nil {
		return nil, err
	}
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, s.registryTransport(), []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: repo.Registry.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/referrers/" + ref.DigestStr()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", string(types.OCIImageIndex))
	req.Header.Set("User-Agent", userAgent)
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK, http.StatusNotFound, http.StatusBadRequest, http.StatusNotAcceptable); err != nil {
		return nil, err
	}
	// The distribution spec's signal for "no referrers API" is 404; some
	// registries answer 400, 406, or 200 with something else.
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), string(types.OCIImageIndex)) {
		return nil, nil
	}
	var idx v1.IndexManifest
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&idx); err != nil {
		return nil, fmt.Errorf("decode the referrers index: %w", err)
	}
	return &idx, nil
}

// registryKeychain is the credential chain of ociOptions (registry.go), for
// the two reads cosign has no function for. It must stay the keychain
// ociOptions uses, so that bundles are read with the chart's credential.
func (s *Signer) registryKeychain() authn.Keychain {
	if s.opts.Auth != nil {
		// The transport authenticates (registryTransport).
		return anonymousKeychain{}
	}
	return keychain{creds: s.creds}
}

// anonymousKeychain gives go-containerregistry no credential, so it adds
// no Authorization header of its own.
type anonymousKeychain struct{}

func (anonymousKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.Anonymous, nil
}

// registryTransport is the transport under ociOptions' requests: the
// configured one (else go-containerregistry's default) behind the run's
// ping cache. With Options.Auth, the requests beneath the ping cache are
// authenticated by it, each with its repository's token
// (oci.ScopedTransport), and a ping's 401 reaches the cache as a 200: so
// go-containerregistry, with anonymous credentials, runs no token exchange
// of its own, and the ping cache keeps that answer for the run.
func (s *Signer) registryTransport() http.RoundTripper {
	s.rtOnce.Do(func() {
		base := s.baseTransport()
		if s.opts.Auth != nil {
			a := s.opts.Auth.AuthClient(base)
			a.Header = http.Header{"User-Agent": {userAgent}}
			base = oci.ScopedTransport(a)
		}
		s.rt = newPingCache(base)
	})
	return s.rt
}

// baseTransport is the configured transport, else go-containerregistry's
// default: what registryTransport builds on.
func (s *Signer) baseTransport() http.RoundTripper {
	if s.opts.Transport != nil {
		return s.opts.Transport
	}
	return remote.DefaultTransport
}

// fallbackIndex reads the index under the fallback tag; nil when the tag
// does not exist.
func (s *Signer) fallbackIndex(ctx context.Context, tag name.Tag) (*v1.IndexManifest, error) {
	idx, err := remote.Index(tag, remote.WithContext(ctx), remote.WithAuthFromKeychain(s.registryKeychain()),
		remote.WithTransport(s.registryTransport()), remote.WithUserAgent(userAgent))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return idx.IndexManifest()
}

// verifyBundle checks that b is cosign v3's signature of the manifest h:
// a DSSE envelope signed by the configured key (or identity), whose in-toto
// statement names h and has cosign's signature predicate.
func (s *Signer) verifyBundle(ctx context.Context, b *sgbundle.Bundle, h v1.Hash, co *cosignpkg.CheckOpts) error {
	_, predicateType, err := s.verifyDSSEBundle(ctx, b, h, co)
	if err != nil {
		return err
	}
	if predicateType != signPredicateType {
		return errors.New("the bundle is an attestation, not a signature")
	}
	return nil
}

// verifyDSSEBundle checks that b holds a DSSE envelope signed by the
// configured key (or identity) whose in-toto statement names the manifest
// h, and returns the statement and its predicate type: a signature's or an
// attestation's, for the caller to judge.
func (s *Signer) verifyDSSEBundle(ctx context.Context, b *sgbundle.Bundle, h v1.Hash, co *cosignpkg.CheckOpts) ([]byte, string, error) {
	if co.TrustedMaterial == nil {
		if err := s.verifyBundleWithRoots(b, h, co); err != nil {
			return nil, "", err
		}
	} else {
		digest, err := hex.DecodeString(h.Hex)
		if err != nil {
			return nil, "", err
		}
		// sigstore-go checks that the statement's subjects name the digest.
		if _, err := cosignpkg.VerifyNewBundle(ctx, co, sgverify.WithArtifactDigest(h.Algorithm, digest), b); err != nil {
			return nil, "", err
		}
	}
	env := b.GetDsseEnvelope()
	if env == nil || env.PayloadType != inTotoPayloadType {
		return nil, "", errors.New("the bundle holds no in-toto statement")
	}
	predicateType, err := statementPredicateType(env.Payload)
	if err != nil {
		return nil, "", err
	}
	return env.Payload, predicateType, nil
}

// statementPredicateType reads the predicate type of an in-toto statement.
func statementPredicateType(statement []byte) (string, error) {
	var head struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(statement, &head); err != nil {
		return "", fmt.Errorf("the envelope does not hold an in-toto statement: %w", err)
	}
	return head.PredicateType, nil
}

// bundleIsAttestation reports, before any verification, whether b claims
// to be an attestation: a DSSE envelope holding an in-toto statement whose
// predicate is not cosign's signature predicate. Signatures and blob
// bundles are not.
func bundleIsAttestation(b *sgbundle.Bundle) bool {
	env := b.GetDsseEnvelope()
	if env == nil || env.PayloadType != inTotoPayloadType {
		return false
	}
	pt, err := statementPredicateType(env.Payload)
	return err == nil && pt != signPredicateType
}

// verifyBundleWithRoots verifies a keyless bundle against a private Fulcio
// given as a CertPool without a trusted root (Options.FulcioRoots), which
// sigstore-go cannot use: the certificate with
// cosign's chain, identity and SCT checks, the DSSE signature with the
// certificate's key, and the statement's subject by hand. Without a trusted
// root the transparency log cannot be checked, so a spec that requires it
// counts such a bundle as not valid; without the log, as for legacy
// signatures, the certificate must still be valid now.
func (s *Signer) verifyBundleWithRoots(b *sgbundle.Bundle, h v1.Hash, co *cosignpkg.CheckOpts) error {
	verifier, err := bundleCertVerifier(b, co)
	if err != nil {
		return err
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return errors.New("the bundle holds no DSSE envelope")
	}
	pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(env.PayloadType), env.PayloadType, len(env.Payload), env.Payload)
	signed := false
	for _, sig := range env.Signatures {
		if verifier.VerifySignature(bytes.NewReader(sig.Sig), strings.NewReader(pae)) == nil {
			signed = true
			break
		}
	}
	if !signed {
		return errors.New("no signature of the envelope verifies with the certificate")
	}
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if env.PayloadType != inTotoPayloadType || json.Unmarshal(env.Payload, &st) != nil {
		return errors.New("the envelope does not hold an in-toto statement")
	}
	for _, sub := range st.Subject {
		if sub.Digest[h.Algorithm] == h.Hex {
			return nil
		}
	}
	return errors.New("the statement names another digest")
}

// bundleCertVerifier checks a keyless bundle's certificate without a
// trusted root (see verifyBundleWithRoots) and returns its key.
func bundleCertVerifier(b *sgbundle.Bundle, co *cosignpkg.CheckOpts) (signature.Verifier, error) {
	if !co.IgnoreTlog {
		return nil, errors.New("the transparency log entry of a keyless bundle needs a Sigstore trusted root")
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return nil, err
	}
	cert := vc.Certificate()
	if cert == nil {
		return nil, errors.New("keyless bundle without a certificate")
	}
	if now := time.Now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, errors.New("the certificate has expired, and no transparency log proves when it signed")
	}
	return cosignpkg.ValidateAndUnpackCert(cert, co)
}

// blobBundle parses the Sigstore bundle of a file's signature set and
// checks that it is the signing of the set's .sig, if any.
func blobBundle(sig *state.BlobSignature) (*sgbundle.Bundle, *protocommon.MessageSignature, error) {
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(sig.Bundle); err != nil {
		return nil, nil, fmt.Errorf("not a Sigstore bundle: %w", err)
	}
	ms := b.GetMessageSignature()
	if ms == nil {
		return nil, nil, errors.New("the bundle holds no message signature (a blob bundle does)")
	}
	if raw := bytes.TrimSpace(sig.Signature); len(raw) > 0 {
		dec, err := base64.StdEncoding.DecodeString(string(raw))
		if err != nil || !bytes.Equal(dec, ms.GetSignature()) {
			return nil, nil, errors.New("it is not the signing of the .sig: the signatures differ")
		}
	}
	return &b, ms, nil
}

// verifyBlobBundle checks the Sigstore bundle of a file (the
// .tgz.sigstore.json `cosign sign-blob --bundle` writes) against its
// bytes, for the configured key or identity, and that it is the signing
// of the .sig (and .pem) sig also holds, if any.
func (s *Signer) verifyBlobBundle(ctx context.Context, blob []byte, sig *state.BlobSignature) error {
	b, ms, err := blobBundle(sig)
	if err != nil {
		return err
	}
	if len(sig.Certificate) > 0 {
		vc, err := b.VerificationContent()
		if err != nil {
			return err
		}
		certPEM, err := certificatePEM(sig.Certificate)
		if err != nil {
			return err
		}
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM(certPEM)
		if err != nil || len(certs) == 0 || vc.Certificate() == nil || !certs[0].Equal(vc.Certificate()) {
			return errors.New("it is not the signing of the .pem: the certificates differ")
		}
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
		verifier, err := bundleCertVerifier(b, bco)
		if err != nil {
			return err
		}
		if sum := sha256.Sum256(blob); !bytes.Equal(ms.GetMessageDigest().GetDigest(), sum[:]) {
			return errors.New("the bundle signs other bytes")
		}
		return verifier.VerifySignature(bytes.NewReader(ms.GetSignature()), bytes.NewReader(blob))
	}
	_, err = cosignpkg.VerifyNewBundle(ctx, bco, sgverify.WithArtifact(bytes.NewReader(blob)), b)
	return err
}

// isUnauthorized reports a registry 401 or 403.
func isUnauthorized(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden)
}
