package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/signature"
	signatureoptions "github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// SignManifest signs repository@manifestDigest and adds the signature as a
// layer of its signature tag, as `cosign sign <repository>@<digest>` does,
// uploading to the transparency log when Signing.TlogUpload is set.
//
// It is safe to repeat: when the tag already holds a signature that verifies
// (same key, or same identity), it signs nothing and writes nothing, so a
// retry after an ambiguous failure does not add a second signature. In key
// mode cosign's duplicate detection also guards the write itself. A manifest
// that does not exist is an error wrapping state.ErrNotFound.
func (s *Signer) SignManifest(ctx context.Context, repository, manifestDigest string) error {
	if err := s.canSign(); err != nil {
		return err
	}
	ref, err := s.digestRef(repository, manifestDigest)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("sign %s", ref)

	if st, err := s.VerifySignatures(ctx, repository, manifestDigest); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if st.Valid {
		return nil
	}

	opts := s.ociOptions(ctx)
	se, err := ociremote.SignedEntity(ref, opts...)
	if err != nil {
		var notFound *ociremote.EntityNotFoundError
		if errors.As(err, &notFound) || isNotFound(err) {
			return fmt.Errorf("%s: manifest: %w", what, state.ErrNotFound)
		}
		return fmt.Errorf("%s: read manifest: %w", what, registryError(err))
	}

	sig, dupes, err := s.signPayload(ctx, ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var attachOpts []mutate.SignOption
	if dupes != nil {
		attachOpts = append(attachOpts, mutate.WithDupeDetector(dupes))
	}
	newSE, err := mutate.AttachSignatureToEntity(se, sig, attachOpts...)
	if err != nil {
		return fmt.Errorf("%s: attach the signature: %w", what, err)
	}
	if err := ociremote.WriteSignatures(ref.Repository, newSE, opts...); err != nil {
		return fmt.Errorf("%s: push the signature tag: %w", what, registryError(err))
	}
	return nil
}

// signPayload makes the simple-signing payload naming ref, signs it, and
// returns the signature layer (with certificate chain in keyless mode, and
// Rekor bundle when the log is used), plus the duplicate detector that
// suits the mode: cosign's, for a long-lived key; none for an ephemeral key,
// which no earlier signature can share.
func (s *Signer) signPayload(ctx context.Context, ref name.Digest) (oci.Signature, mutate.DupeDetector, error) {
	payload, err := manifestPayload(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("build the signature payload: %w", err)
	}
	sv, cert, chain, err := s.signerForOne(ctx)
	if err != nil {
		return nil, nil, err
	}
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
