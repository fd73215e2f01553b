package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// locals evaluates every locals block into the object bound to `local`.
// Locals may use var.*, functions and each other in any order of
// declaration: each is evaluated after the locals it refers to. A local that
// cannot be computed (an error, a cycle) is unknown, so that what depends on
// it is skipped rather than reported again.
func (l *loader) locals(blocks []*hcl.Block) cty.Value {
	defs := map[string]*hcl.Attribute{}
	var order []*hcl.Attribute
	for _, b := range blocks {
		attrs, diags := b.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		for _, a := range sortedAttributes(attrs) {
			if prev := defs[a.Name]; prev != nil {
				l.errorf(a.NameRange.Ptr(), "Duplicate local value definition",
					"A local value named %q was already defined at %s. Local value names must be unique.",
					a.Name, prev.NameRange)
				continue
			}
			defs[a.Name] = a
			order = append(order, a)
		}
	}

	r := &localResolver{l: l, defs: defs, vals: map[string]cty.Value{}, state: map[string]visitState{}}
	for _, a := range order {
		r.visit(a)
	}
	return r.object()
}

type visitState int

const (
	unvisited visitState = iota
	visiting
	visited
)

// localResolver evaluates locals depth-first along their references.
type localResolver struct {
	l     *loader
	defs  map[string]*hcl.Attribute
	vals  map[string]cty.Value
	state map[string]visitState
	stack []string // locals being visited, outermost first
}

func (r *localResolver) visit(a *hcl.Attribute) {
	if r.state[a.Name] != unvisited {
		return
	}
	r.state[a.Name] = visiting
	r.stack = append(r.stack, a.Name)
	defer func() {
		r.stack = r.stack[:len(r.stack)-1]
		r.state[a.Name] = visited
	}()

	ok := true
	for _, tr := range a.Expr.Variables() {
		name, isLocal := localName(tr)
		if !isLocal {
			continue
		}
		dep := r.defs[name]
		switch {
		case dep == nil:
			r.l.errorf(tr.SourceRange().Ptr(), "Reference to undeclared local value",
				"A local value named %q has not been declared.", name)
			ok = false
		case r.state[name] == visiting:
			r.reportCycle(name, tr.SourceRange())
			ok = false
		default:
			r.visit(dep)
		}
	}
	if !ok {
		r.vals[a.Name] = cty.DynamicVal
		return
	}
	ctx := evalContext(r.l.ctx.Variables["var"], r.object(), r.l.ctx.Functions)
	val, diags := a.Expr.Value(ctx)
	r.l.diags = append(r.l.diags, diags...)
	if diags.HasErrors() {
		val = cty.DynamicVal
	}
	r.vals[a.Name] = val
}

// reportCycle reports the chain of locals from name back to itself, at the
// reference that closes it.
func (r *localResolver) reportCycle(name string, at hcl.Range) {
	start := 0
	for i, n := range r.stack {
		if n == name {
			start = i
		}
	}
	chain := make([]string, 0, len(r.stack)-start+1)
	for _, n := range r.stack[start:] {
		chain = append(chain, "local."+n)
	}
	chain = append(chain, "local."+name)
	r.l.errorf(at.Ptr(), "Cycle in local values",
		"%s: each of these needs the next one's value, so none of them can be computed.",
		strings.Join(chain, " → "))
}

// object is the `local` object: locals not computed (yet) are unknown.
func (r *localResolver) object() cty.Value {
	obj := make(map[string]cty.Value, len(r.defs))
	for name := range r.defs {
		if v, ok := r.vals[name]; ok {
			obj[name] = v
		} else {
			obj[name] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(obj)
}

// localName returns X for a traversal local.X.
func localName(tr hcl.Traversal) (string, bool) {
	if tr.RootName() != "local" || len(tr) < 2 {
		return "", false
	}
	if attr, ok := tr[1].(hcl.TraverseAttr); ok {
		return attr.Name, true
	}
	return "", false
}
