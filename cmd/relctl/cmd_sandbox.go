package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func sandboxCmd(env *Env) *cobra.Command {
	var opts sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve an OCI registry and a GitHub emulator on loopback until interrupted",
		Long: `Serve an in-memory OCI registry (the CNCF distribution registry) and an
emulator of GitHub's Releases API on loopback, print their coordinates as
KEY=VALUE lines, and block until interrupted. Nothing is kept on exit.

  relctl sandbox > sandbox.env &
  sleep 1; set -a; . ./sandbox.env; set +a
  relctl plan --var registry="$RELCTL_SANDBOX_REGISTRY/acme/charts"

With --sigstore it also serves a private Sigstore (Fulcio, Rekor, and a
GitHub Actions OIDC token endpoint whose tokens name the repository's
.github/workflows/release.yaml) and prints FULCIO_URL, REKOR_URL,
TRUSTED_ROOT and the ACTIONS_ID_TOKEN_REQUEST_* pair: keyless signing with
signing { fulcio_url, rekor_url, trusted_root } set from them.

The registry has no referrers API, like GHCR: cosign v3 and relctl then keep
Sigstore bundles under the fallback tag sha256-<hex>. With --referrers it
serves one, as Docker Hub, Harbor or zot do.

With --token the registry authenticates as GHCR does: every request needs a
bearer token for its repository, from the token endpoint the registry names
in its 401 challenge, which wants the basic credentials it prints as
RELCTL_REGISTRY_USERNAME and RELCTL_REGISTRY_PASSWORD.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := startSandbox(cmd.Context(), opts)
			if err != nil {
				return err
			}
			defer s.close()
			for _, kv := range s.vars() {
				fmt.Fprintf(env.Stdout, "%s=%s\n", kv[0], kv[1])
			}
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.registryAddr, "registry-addr", "127.0.0.1:0", "listen `ADDR` of the registry")
	cmd.Flags().StringVar(&opts.githubAddr, "github-addr", "127.0.0.1:0", "listen `ADDR` of the GitHub emulator")
	cmd.Flags().StringVar(&opts.repository, "repository", "acme/charts", "the emulated `OWNER/NAME` repository")
	cmd.Flags().BoolVar(&opts.sigstore, "sigstore", false, "also serve a private Sigstore for keyless signing")
	cmd.Flags().BoolVar(&opts.referrers, "referrers", false, "the registry serves the OCI 1.1 referrers API")
	cmd.Flags().BoolVar(&opts.token, "token", false, "the registry wants bearer tokens from its token endpoint, as GHCR does")
	return cmd
}
