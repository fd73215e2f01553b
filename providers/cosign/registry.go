package cosign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

const userAgent = "relctl"

// digestRef parses repository@manifestDigest. Signatures are always made
// and looked up by digest: a tag can move between observation and signing.
func (s *Signer) digestRef(repository, manifestDigest string) (name.Digest, error) {
	var opts []name.Option
	if s.opts.AllowHTTPRegistry {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.NewDigest(repository+"@"+manifestDigest, opts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("parse reference %s@%s: %w", repository, manifestDigest, err)
	}
	return ref, nil
}

// ociOptions are the registry options of every cosign call. They replace
// cosign's defaults wholesale, so cosign never reaches for credentials
// relctl did not choose.
func (s *Signer) ociOptions(ctx context.Context) []ociremote.Option {
	return []ociremote.Option{ociremote.WithRemoteOptions(s.remoteOptions(ctx)...)}
}

// remoteOptions are ociOptions for go-containerregistry's own functions.
func (s *Signer) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(s.registryKeychain()),
		remote.WithUserAgent(userAgent),
		remote.WithTransport(s.registryTransport()),
	}
}

// withRegistry completes opts for the network: the credential chain
// (Credentials, else one over Getenv, else over the process environment)
// and, with a trace, the registry transport and the OIDC token client
// wrapped with it.
func withRegistry(opts Options) (Options, *oci.Credentials) {
	creds := opts.Credentials
	if creds == nil {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		creds = oci.NewCredentials(getenv)
	}
	if opts.Log != nil {
		rt := opts.Transport
		if rt == nil {
			rt = remote.DefaultTransport
		}
		opts.Transport = opts.Log.Transport(rt)
		client := http.DefaultClient
		if opts.HTTPClient != nil {
			client = opts.HTTPClient
		}
		traced := *client
		traced.Transport = opts.Log.Transport(traced.Transport)
		opts.HTTPClient = &traced
	}
	return opts, creds
}

// keychain adapts relctl's one credential chain (oci.Credentials) to
// go-containerregistry, so a signature is pushed and read with the
// credential its chart was pushed with.
type keychain struct {
	creds *oci.Credentials
}

var _ authn.ContextKeychain = keychain{}

// Resolve is never called by go-containerregistry, which prefers
// ResolveContext; it exists to satisfy authn.Keychain.
func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext runs a credential helper, if the chain needs one, under
// the command's context.
func (k keychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	cred, err := k.creds.Find(ctx, r.RegistryStr())
	if err != nil {
		return nil, err
	}
	if cred.Anonymous() {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: cred.Username, Password: cred.Password, IdentityToken: cred.IdentityToken}), nil
}

// registryError marks refused credentials with state.ErrUnauthorized, so
// the caller can say "check the token's packages: write" instead of
// retrying.
func registryError(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w: %w", state.ErrUnauthorized, err)
	}
	// oras-go's, from bundle pushes.
	var oerr *errcode.ErrorResponse
	if errors.As(err, &oerr) && (oerr.StatusCode == http.StatusUnauthorized || oerr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w: %w", state.ErrUnauthorized, err)
	}
	return err
}

// isNotFound reports a registry 404.
func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}

// isOrasNotFound reports a 404 from oras-go.
func isOrasNotFound(err error) bool {
	return errors.Is(err, errdef.ErrNotFound)
}
