package cosign

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"

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
	return []ociremote.Option{ociremote.WithRemoteOptions(
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(keychain{getenv: s.getenv}),
		remote.WithUserAgent(userAgent),
	)}
}

// keychain picks registry credentials the way relctl documents it:
// RELCTL_REGISTRY_USERNAME / _PASSWORD when set (relctl talks to one
// registry), else GITHUB_TOKEN (or GH_TOKEN) for ghcr.io, else the docker
// credential store.
type keychain struct {
	getenv func(string) string
}

func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	user, pass := k.getenv("RELCTL_REGISTRY_USERNAME"), k.getenv("RELCTL_REGISTRY_PASSWORD")
	if user != "" || pass != "" {
		return authn.FromConfig(authn.AuthConfig{Username: user, Password: pass}), nil
	}
	if r.RegistryStr() == "ghcr.io" {
		token := k.getenv("GITHUB_TOKEN")
		if token == "" {
			token = k.getenv("GH_TOKEN")
		}
		if token != "" {
			// GHCR checks the token, not the user name, which only has to
			// be non-empty.
			return authn.FromConfig(authn.AuthConfig{Username: userAgent, Password: token}), nil
		}
	}
	return authn.DefaultKeychain.Resolve(r)
}

// registryError marks refused credentials with state.ErrUnauthorized, so
// the caller can say "check the token's packages: write" instead of
// retrying.
func registryError(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w: %w", state.ErrUnauthorized, err)
	}
	return err
}

// isNotFound reports a registry 404.
func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}
