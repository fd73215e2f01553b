package main

import (
	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm"
)

// dependencyDiagnostics checks every chart's dependencies offline (issue 7):
// lock in sync, names, constraints, repositories relctl can read, and no
// cycle among the spec's charts. Nothing is fetched.
func dependencyDiagnostics(spec *config.Spec, env *Env) []config.Diagnostic {
	p := helm.New(helm.Options{RepositoryConfig: repositoryConfig(env), Registry: spec.Registry.Repository, Siblings: spec.Charts})
	var out []config.Diagnostic
	for _, c := range spec.Charts {
		for _, err := range p.CheckDependencies(c) {
			out = append(out, config.Diagnostic{
				Severity: "error",
				Summary:  "Invalid chart dependency",
				Detail:   err.Error(),
				Range:    &config.Range{Filename: c.RelDir + "/Chart.yaml"},
			})
		}
	}
	if err := helm.CheckSiblingCycles(spec.Charts, spec.Registry.Repository); err != nil {
		out = append(out, config.Diagnostic{Severity: "error", Summary: "Dependency cycle", Detail: err.Error()})
	}
	return out
}
