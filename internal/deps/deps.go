package main

import (
	_ "github.com/hashicorp/hcl/v2"
	_ "github.com/hashicorp/hcl/v2/hclwrite"
	_ "github.com/hashicorp/hcl/v2/hclsyntax"
	_ "github.com/zclconf/go-cty/cty"
	_ "github.com/zclconf/go-cty/cty/function/stdlib"
	_ "github.com/google/go-github/v62/github"
	_ "oras.land/oras-go/v2"
	_ "oras.land/oras-go/v2/registry/remote"
	_ "oras.land/oras-go/v2/registry/remote/auth"
	_ "oras.land/oras-go/v2/registry/remote/credentials"
	_ "helm.sh/helm/v3/pkg/chart/loader"
	_ "helm.sh/helm/v3/pkg/chartutil"
	_ "helm.sh/helm/v3/pkg/registry"
	_ "helm.sh/helm/v3/pkg/action"
	_ "github.com/sigstore/cosign/v2/cmd/cosign/cli/sign"
	_ "github.com/sigstore/cosign/v2/pkg/cosign"
	_ "github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	_ "github.com/spf13/cobra"
	_ "github.com/google/go-cmp/cmp"
	_ "golang.org/x/sync/errgroup"
	_ "github.com/Masterminds/semver/v3"
	_ "golang.org/x/term"
)

func main() {}
