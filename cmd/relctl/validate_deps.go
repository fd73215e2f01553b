package main

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm"
)

// dependencyDiagnostics checks every chart's dependencies offline beyond
// what planning an unpublished chart finds: constraints that do not parse,
// repositories relctl cannot read, and cycles among the spec's charts.
// Nothing is fetched. A problem already reported (the plan's blocked
// reasons quote the same error) is not reported twice.
func dependencyDiagnostics(spec *config.Spec, env *Env, have hcl.Diagnostics) hcl.Diagnostics {
	p := helm.New(helm.Options{RepositoryConfig: repositoryConfig(env), Registry: spec.Registry.Repository, Siblings: spec.Charts, Offline: true})
	var out hcl.Diagnostics
	add := func(summary, detail string, at *hcl.Range) {
		for _, d := range append(have, out...) {
			if strings.Contains(d.Detail, detail) {
				return
			}
		}
		out = append(out, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: at})
	}
	for _, c := range spec.Charts {
		for _, err := range p.CheckDependencies(c) {
			add("Invalid chart dependency", err.Error(), c.DeclRange.Ptr())
		}
	}
	if err := helm.CheckSiblingCycles(spec.Charts, spec.Registry.Repository); err != nil {
		add("Dependency cycle", err.Error(), nil)
	}
	return out
}
