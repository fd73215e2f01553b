package state

import (
	"slices"
	"sort"
	"strings"
)

// DependencySource says where a chart dependency came from.
type DependencySource string

const (
	// SourceHTTP is a classic chart repository (index.yaml over http(s)).
	SourceHTTP DependencySource = "http"
	// SourceOCI is an oci:// repository.
	SourceOCI DependencySource = "oci"
	// SourceFile is a file:// folder outside this spec, packaged by relctl.
	SourceFile DependencySource = "file"
	// SourceSibling is a chart this spec publishes too, taken from its
	// folder (through file:// or oci://<registry.repository>).
	SourceSibling DependencySource = "sibling"
	// SourceVendored is a chart already under charts/, used as it is.
	SourceVendored DependencySource = "vendored"
)

// Dependency is one dependency of a chart as relctl resolved it.
type Dependency struct {
	// Name is the dependency's chart name; Alias its alias, if any.
	Name  string
	Alias string
	// Constraint is the version constraint Chart.yaml declares.
	Constraint string
	// Version is the version chosen.
	Version string
	// Repository is the repository as Chart.yaml declares it (an @alias
	// kept as written); empty for a vendored chart.
	Repository string
	Source     DependencySource
	// URL is where the archive came from (an archive URL, an OCI
	// reference, a folder relative to the spec); empty when vendored.
	URL string
	// Digest is "sha256:<hex>" of the dependency's archive: as downloaded
	// (http, oci), as relctl packages it (file, sibling: the sibling's
	// package digest), or for a vendored chart a digest of its entries as
	// embedded.
	Digest string
	// Sibling is set when the dependency is a chart of this spec: Apply
	// publishes it before its dependents.
	Sibling bool
}

// String is one line for people: "common 2.4.1 (http https://…, sha256:…)".
func (d Dependency) String() string {
	name := d.Name
	if d.Alias != "" && d.Alias != d.Name {
		name += " as " + d.Alias
	}
	where := string(d.Source)
	if d.URL != "" {
		where += " " + d.URL
	}
	s := name + " " + d.Version + " (" + where
	if d.Digest != "" {
		s += ", " + d.Digest
	}
	return s + ")"
}

// SiblingCycle returns a dependency cycle among charts of one spec, as the
// list of chart names that closes it ("a", "b", "a"), or nil. edges maps a
// chart to the sibling charts it depends on. The result is deterministic:
// charts are visited in name order.
func SiblingCycle(edges map[string][]string) []string {
	names := make([]string, 0, len(edges))
	for n := range edges {
		names = append(names, n)
	}
	sort.Strings(names)
	const (
		unvisited = iota
		visiting
		done
	)
	mark := map[string]int{}
	var stack []string
	var visit func(n string) []string
	visit = func(n string) []string {
		switch mark[n] {
		case visiting:
			i := slices.Index(stack, n)
			return append(slices.Clone(stack[i:]), n)
		case done:
			return nil
		}
		mark[n] = visiting
		stack = append(stack, n)
		next := slices.Clone(edges[n])
		sort.Strings(next)
		for _, m := range next {
			if c := visit(m); c != nil {
				return c
			}
		}
		stack = stack[:len(stack)-1]
		mark[n] = done
		return nil
	}
	for _, n := range names {
		if c := visit(n); c != nil {
			return c
		}
	}
	return nil
}

// CycleString renders a cycle for errors: "a → b → a".
func CycleString(cycle []string) string {
	return strings.Join(cycle, " → ")
}

// UpstreamComparer is implemented by a Packager that resolves dependencies:
// it tells a published package that differs only by newer upstream
// dependency releases from one whose own files or lock changed.
type UpstreamComparer interface {
	CompareUpstream(remote []byte, local *Package) (*UpstreamComparison, error)
}

// UpstreamComparison is what CompareUpstream found.
type UpstreamComparison struct {
	// SameOwnFiles: the chart's own files (all but charts/ and Chart.lock)
	// are the local ones.
	SameOwnFiles bool
	// LockSatisfied: the published Chart.lock still satisfies today's
	// constraints (or equals the committed lock).
	LockSatisfied bool
	// Newer lists the dependency versions a build today takes that the
	// published package does not hold ("common 2.4.1").
	Newer []string
}
