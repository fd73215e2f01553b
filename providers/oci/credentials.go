package oci

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"

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

// Credential is what the chain found for one registry host. All its
// secrets are empty for anonymous access.
type Credential struct {
	Username string
	Password string
	// IdentityToken is the OAuth refresh token `docker login` stores for
	// some registries (identitytoken in config.json) instead of a password.
	IdentityToken string
	// Source says where the credential came from, for messages:
	// "RELCTL_REGISTRY_USERNAME/RELCTL_REGISTRY_PASSWORD",
	// "docker config (<path>)", `docker credential helper "<name>"`,
	// "GITHUB_TOKEN" (or "GH_TOKEN"), or "anonymous". Never a secret.
	Source string
}

// Anonymous reports whether no credential was found.
func (c Credential) Anonymous() bool {
	return c.Username == "" && c.Password == "" && c.IdentityToken == ""
}

// Credentials is relctl's one registry credential chain. Every registry
// request relctl makes (chart pushes and reads through oras-go, signature
// pushes, reads and verification through cosign's go-containerregistry,
// dependency pulls) takes its credentials from Find, so a chart can never
// push with one credential and its signature be refused with another.
//
// The order, first match wins:
//
//  1. RELCTL_REGISTRY_USERNAME and RELCTL_REGISTRY_PASSWORD, both set (one
//     without the other is an error naming the missing one);
//  2. the docker credential store: $DOCKER_CONFIG/config.json, else
//     $HOME/.docker/config.json, with its auths, credsStore and credHelpers;
//  3. GITHUB_TOKEN, else GH_TOKEN, for ghcr.io only;
//  4. anonymous.
//
// It reads the environment through the getenv it was given, never the
// process environment, so tests and embedders isolate it. A credential
// helper runs under the context of the request that needs it. Answers are
// kept per host for the Credentials' life (one command): a helper is a
// process to run, and its answer does not change meanwhile. It is safe for
// concurrent use.
type Credentials struct {
	getenv func(string) string

	mu     sync.Mutex
	found  map[string]Credential // by host
	docker *dockerStore          // loaded on first need
}

// NewCredentials returns the chain reading the environment through getenv.
// It reads nothing yet; Check validates the variables now.
func NewCredentials(getenv func(string) string) *Credentials {
	return &Credentials{getenv: getenv, found: map[string]Credential{}}
}

// Check reports a half-set RELCTL_REGISTRY_USERNAME/PASSWORD pair, so a
// command refuses it before its first request rather than at the first
// registry that asks for credentials.
func (c *Credentials) Check() error {
	user, pass := c.getenv(EnvRegistryUsername), c.getenv(EnvRegistryPassword)
	switch {
	case user != "" && pass == "":
		return fmt.Errorf("registry credentials: %s is set but %s is not: set both, or neither", EnvRegistryUsername, EnvRegistryPassword)
	case user == "" && pass != "":
		return fmt.Errorf("registry credentials: %s is set but %s is not: set both, or neither", EnvRegistryPassword, EnvRegistryUsername)
	}
	return nil
}

// Find returns the credential for host ("name" or "name:port", as in a
// repository), in the documented order. An error (a half-set variable
// pair, an unreadable docker config, a failing or cancelled credential
// helper) names the source, never a secret.
func (c *Credentials) Find(ctx context.Context, host string) (Credential, error) {
	host = canonicalHost(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cred, ok := c.found[host]; ok {
		return cred, nil
	}
	cred, err := c.find(ctx, host, true)
	if err == nil {
		c.found[host] = cred
	}
	return cred, err
}

// Source names where the credential for host comes from, for error
// messages; see Credential.Source. It never returns a secret, and never
// runs a credential helper: an error message is written after the context
// that could stop one may have ended. A helper not yet asked is named as
// the source it would be.
func (c *Credentials) Source(host string) string {
	host = canonicalHost(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cred, ok := c.found[host]; ok {
		return cred.Source
	}
	cred, _ := c.find(context.Background(), host, false)
	return cred.Source
}

// CredentialFunc adapts the chain to oras-go. oras-go calls it only after a
// registry answers 401, so an anonymous registry never causes the docker
// store (or a credential helper) to be consulted.
func (c *Credentials) CredentialFunc() auth.CredentialFunc {
	return func(ctx context.Context, hostport string) (auth.Credential, error) {
		cred, err := c.Find(ctx, hostport)
		if err != nil {
			return auth.EmptyCredential, err
		}
		return auth.Credential{Username: cred.Username, Password: cred.Password, RefreshToken: cred.IdentityToken}, nil
	}
}

// find applies the order. On error the returned Credential still carries
// the source that failed. Without runHelpers, a host served by a
// credential helper gets the helper's source and no secret.
func (c *Credentials) find(ctx context.Context, host string, runHelpers bool) (Credential, error) {
	if err := c.Check(); err != nil {
		return Credential{Source: sourceEnv}, err
	}
	if user, pass := c.getenv(EnvRegistryUsername), c.getenv(EnvRegistryPassword); user != "" {
		return Credential{Username: user, Password: pass, Source: sourceEnv}, nil
	}

	if c.docker == nil {
		c.docker = loadDockerStore(c.getenv)
	}
	if d := c.docker; d.path != "" {
		source := d.source(host)
		if d.err != nil {
			return Credential{Source: source}, d.err
		}
		if !runHelpers && d.helper(host) != "" {
			return Credential{Source: source}, nil
		}
		got, err := d.store.Get(ctx, credentials.ServerAddressFromHostname(host))
		if err != nil {
			return Credential{Source: source}, fmt.Errorf("read credentials for %s from %s: %w", host, source, err)
		}
		if got != auth.EmptyCredential {
			return Credential{Username: got.Username, Password: got.Password, IdentityToken: got.RefreshToken, Source: source}, nil
		}
	}

	if strings.EqualFold(hostname(host), ghcrHost) {
		for _, env := range []string{envGitHubToken, envGHToken} {
			if token := c.getenv(env); token != "" {
				return Credential{Username: ghcrUsername, Password: token, Source: env}, nil
			}
		}
	}
	return Credential{Source: sourceAnonymous}, nil
}

// dockerHubHost is Docker Hub's registry as oras-go names it.
const dockerHubHost = "registry-1.docker.io"

// canonicalHost gives Docker Hub one name: go-containerregistry calls it
// "index.docker.io", oras-go "registry-1.docker.io", and `docker login`
// stores it under "https://index.docker.io/v1/" (which
// credentials.ServerAddressFromHostname maps the latter to).
func canonicalHost(host string) string {
	switch host {
	case "docker.io", "index.docker.io":
		return dockerHubHost
	}
	return host
}

// hostname strips the port from "name:port".
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
