package oci

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/relctl/relctl/state"
)

// ghcrWriteDenied is the error GHCR returns when a token may read but not
// write a package: "denied: permission_denied: write_package" (docs.github.com,
// "Publishing packages with GitHub Actions").
const ghcrWriteDenied = "write_package"

// describe turns an oras-go failure of op (e.g. "push
// ghcr.io/acme/charts/podinfo:1.2.0") against host into an error a user can
// act on, wrapping the state sentinels the core matches on. The original
// error stays in the chain; none of them carries a credential (oras-go puts
// only the method, URL and registry error body in its messages).
func (c *Client) describe(op, host string, err error) error {
	if err == nil {
		return nil
	}
	var resp *errcode.ErrorResponse
	switch {
	case errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden),
		// A registry challenging for basic auth when no credential was
		// found never gets a second request: oras-go stops here.
		errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%s: %w", op, c.unauthorized(host, err))
	case errors.Is(err, errdef.ErrNotFound):
		return fmt.Errorf("%s: %w", op, state.ErrNotFound)
	case isUnreachable(err):
		return fmt.Errorf("%s: registry %s unreachable: %w", op, host, err)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%s: registry %s speaks plain HTTP (set registry.insecure = true to allow it): %w", op, host, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unauthorized explains a 401 or 403: which registry refused, which
// credential source was used (never the secret), and for GHCR's
// write_package denial the permission a GitHub Actions workflow lacks.
func (c *Client) unauthorized(host string, err error) error {
	source := c.CredentialSource(host)
	var msg string
	if source == sourceAnonymous {
		msg = fmt.Sprintf("registry %s refused anonymous access (no credentials found: set %s and %s, or run docker login %s)",
			host, EnvRegistryUsername, EnvRegistryPassword, host)
	} else {
		msg = fmt.Sprintf("registry %s refused the credentials from %s", host, source)
	}
	var hint string
	if strings.Contains(err.Error(), ghcrWriteDenied) {
		hint = " (the GitHub Actions workflow needs `permissions: packages: write`, and the repository needs write access to the package in its package settings)"
	}
	return fmt.Errorf("%w: %s: %w%s", state.ErrUnauthorized, msg, err, hint)
}

// isUnreachable reports a failure to reach the registry at all: refused or
// timed-out connections and failed DNS lookups, as opposed to an HTTP
// answer. A dial cut short by a cancelled context is the caller's doing,
// not the registry's.
func isUnreachable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &opErr) || errors.As(err, &dnsErr)
}
