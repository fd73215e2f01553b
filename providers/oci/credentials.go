package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// Environment variables relctl reads for registry credentials.
const (
	EnvRegistryUsername = "RELCTL_REGISTRY_USERNAME"
	EnvRegistryPassword = "RELCTL_REGISTRY_PASSWORD"
	envGitHubToken      = "GITHUB_TOKEN"
	envGHToken          = "GH_TOKEN"
	envDockerConfig     = "DOCKER_CONFIG"
)

const (
	sourceEnv       = EnvRegistryUsername + "/" + EnvRegistryPassword
	sourceAnonymous = "anonymous"
	// ghcrHost is the only registry a GitHub token is sent to: sending it
	// anywhere else would leak it.
	ghcrHost = "ghcr.io"
	// ghcrUsername is arbitrary: GHCR authenticates a token given as the
	// password whatever the username.
	ghcrUsername = "relctl"
)

// credentialLookup is the outcome of finding credentials for one host.
type credentialLookup struct {
	cred   auth.Credential
	source string
	err    error
}

// CredentialSource names where the credentials for host come from, for
// error messages: "RELCTL_REGISTRY_USERNAME/RELCTL_REGISTRY_PASSWORD",
// "docker config (<path>)", `docker credential helper "<name>"`,
// "GITHUB_TOKEN" (or "GH_TOKEN"), or "anonymous". It never returns a secret.
// host is "name" or "name:port", as in a repository.
func (c *Client) CredentialSource(host string) string {
	return c.lookup(context.Background(), host).source
}

// credential is the oras-go auth.CredentialFunc. oras-go calls it only after
// a registry answers 401, so an anonymous registry never causes the docker
// store (or a credential helper binary) to be consulted.
func (c *Client) credential(ctx context.Context, hostport string) (auth.Credential, error) {
	l := c.lookup(ctx, hostport)
	return l.cred, l.err
}

// lookup finds credentials for host once per Client: a credential helper is
// a process to run, and the answer does not change during a command.
func (c *Client) lookup(ctx context.Context, host string) credentialLookup {
	c.credMu.Lock()
	defer c.credMu.Unlock()
	if l, ok := c.creds[host]; ok {
		return l
	}
	l := c.findCredential(ctx, host)
	if l.err == nil {
		c.creds[host] = l
	}
	return l
}

// findCredential applies the documented order: relctl's own variables, the
// docker credential store, a GitHub token for ghcr.io, anonymous.
func (c *Client) findCredential(ctx context.Context, host string) credentialLookup {
	user, pass := c.getenv(EnvRegistryUsername), c.getenv(EnvRegistryPassword)
	if user != "" && pass != "" {
		return credentialLookup{cred: auth.Credential{Username: user, Password: pass}, source: sourceEnv}
	}

	if c.docker == nil {
		c.docker = loadDockerStore(c.getenv)
	}
	if d := c.docker; d.path != "" {
		source := d.source(host)
		if d.err != nil {
			return credentialLookup{source: source, err: d.err}
		}
		cred, err := d.store.Get(ctx, credentials.ServerAddressFromHostname(host))
		if err != nil {
			return credentialLookup{source: source, err: fmt.Errorf("read credentials for %s from %s: %w", host, source, err)}
		}
		if cred != auth.EmptyCredential {
			return credentialLookup{cred: cred, source: source}
		}
	}

	if strings.EqualFold(hostname(host), ghcrHost) {
		for _, env := range []string{envGitHubToken, envGHToken} {
			if token := c.getenv(env); token != "" {
				return credentialLookup{cred: auth.Credential{Username: ghcrUsername, Password: token}, source: env}
			}
		}
	}
	return credentialLookup{source: sourceAnonymous}
}

// dockerStore is the docker CLI's credential store (config.json with its
// auths, credsStore and credHelpers), located the way docker does.
type dockerStore struct {
	path        string // empty: no home directory, no store
	store       *credentials.DynamicStore
	credsStore  string
	credHelpers map[string]string
	err         error // the config exists but cannot be read
}

// loadDockerStore reads $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json. oras-go's NewStoreFromDocker would read
// DOCKER_CONFIG from the process environment; resolving the path here
// honours Options.Getenv. A missing file is an empty store.
func loadDockerStore(getenv func(string) string) *dockerStore {
	dir := getenv(envDockerConfig)
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return &dockerStore{}
		}
		dir = filepath.Join(home, ".docker")
	}
	d := &dockerStore{path: filepath.Join(dir, "config.json")}

	// The helper names are read only to say which one answered; oras-go
	// does the lookups themselves.
	var helpers struct {
		CredsStore  string            `json:"credsStore"`
		CredHelpers map[string]string `json:"credHelpers"`
	}
	data, err := os.ReadFile(d.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
		return d
	default:
		if err := json.Unmarshal(data, &helpers); err != nil {
			d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
			return d
		}
	}
	d.credsStore, d.credHelpers = helpers.CredsStore, helpers.CredHelpers

	// AllowPlaintextPut and DetectDefaultNativeStore stay false: relctl
	// only reads credentials and must never rewrite the user's config.
	d.store, err = credentials.NewStore(d.path, credentials.StoreOptions{})
	if err != nil {
		d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
	}
	return d
}

// source names the part of the docker store that answers for host, with
// the precedence oras-go's DynamicStore applies.
func (d *dockerStore) source(host string) string {
	if h := d.credHelpers[credentials.ServerAddressFromHostname(host)]; h != "" {
		return fmt.Sprintf("docker credential helper %q", h)
	}
	if d.credsStore != "" {
		return fmt.Sprintf("docker credential helper %q", d.credsStore)
	}
	return fmt.Sprintf("docker config (%s)", d.path)
}

// hostname strips the port from "name:port".
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
