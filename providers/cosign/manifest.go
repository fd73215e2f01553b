package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	godigest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/signature"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"
	"oras.land/oras-go/v2/errdef"
	oremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// SignManifest signs repository@manifestDigest in formats
// (config.FormatLegacy, config.FormatBundle), uploading to the
// transparency log when Signing.TlogUpload is set:
//
//   - legacy: a layer of its signature tag, as `cosign sign` of cosign v2
//     does;
//   - bundle: a Sigstore bundle of cosign's signature statement, attached
//     as cosign v3 does (PushBundle: a referrer, or under the referrers
//     fallback tag).
//
// Without formats it reads the signatures first and signs what
// signing.format asks for (state.MissingFormats): with "legacy" or
// "bundle", nothing when any valid signature exists; with "both", each
// format that lacks one. So it is safe to repeat: a format that already
// holds a signature that verifies (same key, or same identity) is not
// signed again.
//
// With formats, the caller has just read the signatures
// (VerifySignatures) and names the formats that hold no valid one: they
// are signed without reading every signature place again (three requests
// for a manifest not signed yet). The planner checks right before signing
// and again after a failure whose outcome is unknown. In key mode cosign's
// duplicate detection still guards the legacy write.
//
// In keyless mode the formats written by one call share one certificate.
// A manifest that does not exist is an error wrapping state.ErrNotFound.
func (s *Signer) SignManifest(ctx context.Context, repository, manifestDigest string, formats ...config.SignatureFormat) error {
	if err := s.canSign(); err != nil {
		return err
	}
	ref, err := s.digestRef(repository, manifestDigest)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("sign %s", ref)

	todo := formats
	if len(formats) == 0 {
		st, err := s.VerifySignatures(ctx, repository, manifestDigest)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		todo = state.MissingFormats(st, s.signing.Format)
	}
	if len(todo) == 0 {
		return nil
	}

	signer := s.onceBundleSigner(ctx)
	for _, f := range todo {
		switch f {
		case config.FormatLegacy:
			err = s.signLegacy(ctx, ref, signer)
		case config.FormatBundle:
			err = s.signBundle(ctx, repository, ref, signer)
		default:
			err = fmt.Errorf("unknown signature format %q", f)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// signedEntity reads the manifest ref names, for a signature or an
// attestation to be added to it; state.ErrNotFound when it is gone.
func (s *Signer) signedEntity(ctx context.Context, ref name.Digest) (oci.SignedEntity, error) {
	se, err := ociremote.SignedEntity(ref, s.ociOptions(ctx)...)
	if err != nil {
		var notFound *ociremote.EntityNotFoundError
		if errors.As(err, &notFound) || isNotFound(err) {
			return nil, fmt.Errorf("manifest: %w", state.ErrNotFound)
		}
		return nil, fmt.Errorf("read manifest: %w", registryError(err))
	}
	return se, nil
}

// signLegacy adds a signature layer to the manifest's signature tag.
func (s *Signer) signLegacy(ctx context.Context, ref name.Digest, signer func() (bundleSigner, error)) error {
	se, err := s.signedEntity(ctx, ref)
	if err != nil {
		return err
	}
	bs, err := signer()
	if err != nil {
		return err
	}
	sig, dupes, err := s.signPayload(ctx, ref, bs)
	if err != nil {
		return err
	}
	var attachOpts []mutate.SignOption
	if dupes != nil {
		attachOpts = append(attachOpts, mutate.WithDupeDetector(dupes))
	}
	newSE, err := mutate.AttachSignatureToEntity(se, sig, attachOpts...)
	if err != nil {
		return fmt.Errorf("attach the signature: %w", err)
	}
	if err := s.writeSignatures(ctx, ref, newSE, sig); err != nil {
		return fmt.Errorf("push the signature tag: %w", registryError(err))
	}
	return nil
}

// writeSignatures pushes the signature image of ref under its signature
// tag, as ociremote.WriteSignatures does, through oras-go: the layer of
// sig and the config are uploaded in two requests each (POST, then PUT
// with the bytes), and the manifest is PUT under the tag. The other layers
// are the signatures the tag held before, read from this repository: their
// blobs are there. go-containerregistry's remote.Write asks for every blob
// and for the tag first, and uploads in three requests (POST, PATCH, PUT):
// ten requests for a first signature, five here.
//
// When cosign's duplicate detection found sig's equal among the existing
// signatures, the image is the existing one and nothing is written.
func (s *Signer) writeSignatures(ctx context.Context, ref name.Digest, se oci.SignedEntity, sig oci.Signature) error {
	img, err := se.Signatures()
	if err != nil {
		return err
	}
	sigDigest, err := sig.Digest()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	var added v1.Layer
	for _, l := range layers {
		if d, err := l.Digest(); err == nil && d == sigDigest {
			added = l
		}
	}
	if added == nil {
		return nil
	}
	repo, err := s.orasRepository(ref.Context().Name())
	if err != nil {
		return err
	}
	ctx = auth.AppendRepositoryScope(ctx, repo.Reference, auth.ActionPull, auth.ActionPush)
	if err := pushLayer(ctx, repo, added); err != nil {
		return fmt.Errorf("upload the signature layer: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	if err := pushBlob(ctx, repo, descriptorOf(m.Config), cfg); err != nil {
		return fmt.Errorf("upload the signature config: %w", err)
	}
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	tag, err := ociremote.SignatureTag(ref, s.ociOptions(ctx)...)
	if err != nil {
		return err
	}
	desc := ocispec.Descriptor{MediaType: string(mt), Digest: godigest.FromBytes(raw), Size: int64(len(raw))}
	return repo.PushReference(ctx, desc, bytes.NewReader(raw), tag.TagStr())
}

func pushLayer(ctx context.Context, repo *oremote.Repository, l v1.Layer) error {
	d, err := l.Digest()
	if err != nil {
		return err
	}
	mt, err := l.MediaType()
	if err != nil {
		return err
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	return pushBlob(ctx, repo, ocispec.Descriptor{MediaType: string(mt), Digest: godigest.Digest(d.String()), Size: int64(len(b))}, b)
}

// pushBlob uploads a small blob without asking first whether the
// repository holds it: a new signature's blobs never are there, and one
// that is (the same config) is simply stored again.
func pushBlob(ctx context.Context, repo *oremote.Repository, desc ocispec.Descriptor, b []byte) error {
	err := repo.Blobs().Push(ctx, desc, bytes.NewReader(b))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		return nil
	}
	return err
}

func descriptorOf(d v1.Descriptor) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: string(d.MediaType), Digest: godigest.Digest(d.Digest.String()), Size: d.Size}
}

// signBundle attaches a Sigstore bundle of cosign's signature statement
// for the manifest, as `cosign sign` of cosign v3 does: the same layout as
// an attestation bundle, with cosign's signature predicate.
func (s *Signer) signBundle(ctx context.Context, repository string, ref name.Digest, signer func() (bundleSigner, error)) error {
	alg, hex, _ := strings.Cut(ref.DigestStr(), ":")
	statement, err := signStatement(alg, hex)
	if err != nil {
		return fmt.Errorf("build the signature statement: %w", err)
	}
	return s.attestBundle(ctx, repository, ref, signPredicateType, statement, signer)
}

// signPayload makes the simple-signing payload naming ref, signs it, and
// returns the signature layer (with certificate chain in keyless mode, and
// Rekor bundle when the log is used), plus the duplicate detector that
// suits the mode: cosign's, for a long-lived key; none for an ephemeral key,
// which no earlier signature can share.
func (s *Signer) signPayload(ctx context.Context, ref name.Digest, bs bundleSigner) (oci.Signature, mutate.DupeDetector, error) {
	payload, err := manifestPayload(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("build the signature payload: %w", err)
	}
	sv, cert, chain := bs.sv, bs.cert, bs.chain
	raw, err := sv.SignMessage(bytes.NewReader(payload), signatureoptions.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("sign the payload with %s: %w", s.signerName(), err)
	}
	var sigOpts []static.Option
	if cert != nil {
		sigOpts = append(sigOpts, static.WithCertChain(cert, chain))
	}
	if s.signing.TlogUpload {
		bundle, err := s.uploadToTlog(ctx, sv, cert, raw, payload)
		if err != nil {
			return nil, nil, err
		}
		sigOpts = append(sigOpts, static.WithBundle(bundle))
	}
	sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw), sigOpts...)
	if err != nil {
		return nil, nil, fmt.Errorf("build the signature layer: %w", err)
	}
	var dupes mutate.DupeDetector
	if s.mode == config.SigningKey {
		dupes = cremote.NewDupeDetector(sv)
	}
	return sig, dupes, nil
}

// signerForOne returns what signs one artifact: the key loaded in New, or
// a fresh ephemeral key with its Fulcio certificate (PEM) and chain.
func (s *Signer) signerForOne(ctx context.Context) (sv signature.SignerVerifier, cert, chain []byte, err error) {
	if s.mode == config.SigningKey {
		return s.sv, nil, nil, nil
	}
	fs, err := s.keylessSigner(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return fs, fs.Cert, fs.Chain, nil
}

func (s *Signer) signerName() string {
	if s.mode == config.SigningKey {
		return "key " + s.keyRef
	}
	return "an ephemeral key"
}

// onceBundleSigner returns a function that makes the signer of one
// operation on its first call and returns the same one after: every format
// written by one operation is signed by one key (in keyless mode, one
// certificate).
func (s *Signer) onceBundleSigner(ctx context.Context) func() (bundleSigner, error) {
	var bs *bundleSigner
	return func() (bundleSigner, error) {
		if bs == nil {
			b, err := s.newBundleSigner(ctx)
			if err != nil {
				return bundleSigner{}, err
			}
			bs = &b
		}
		return *bs, nil
	}
}
