package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// assignFromEnv applies RELCTL_VAR_<name> values. Names that match no
// declared variable are ignored, as Terraform ignores stray TF_VAR_*: a CI
// environment is shared by many tools and specs.
func (l *loader) assignFromEnv(vars map[string]*variable, order []string) {
	if l.environ == nil {
		for _, name := range order {
			if raw := l.getenv(EnvVarPrefix + name); raw != "" {
				l.assignRaw(vars[name], raw, "the "+EnvVarPrefix+name+" environment variable")
			}
		}
		return
	}
	for _, kv := range l.environ() {
		key, raw, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(key, EnvVarPrefix) {
			continue
		}
		if v := vars[strings.TrimPrefix(key, EnvVarPrefix)]; v != nil {
			l.assignRaw(v, raw, "the "+key+" environment variable")
		}
	}
}

// assignFromFile applies a --var-file. Its values are constants; a name the
// spec does not declare is a warning, as in Terraform, because one variables
// file often serves several specs.
func (l *loader) assignFromFile(vars map[string]*variable, path string) {
	file, diags := l.hp.ParseHCLFile(path)
	if file == nil {
		// hclparse reports a read failure with the OS error, whose path
		// may be absolute; say it with the path as given.
		l.errorf(nil, "Failed to read variables file", "Cannot read the variables file %q given with --var-file.", path)
		return
	}
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	attrs, diags := file.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	for _, attr := range sortedAttributes(attrs) {
		v := vars[attr.Name]
		if v == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("%s sets %q, but %s declares no variable of that name; the value is ignored.",
					path, attr.Name, FileName),
				Subject: attr.NameRange.Ptr(),
			})
			continue
		}
		val, diags := attr.Expr.Value(nil)
		if v.sensitive {
			// The file's text is quoted in snippets of any problem on
			// these lines: remember what to hide, valid or not.
			l.secrets.add(string(attr.Expr.Range().SliceBytes(file.Bytes)))
			l.secrets.remember(val)
		}
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			v.val = cty.DynamicVal
			continue
		}
		l.assign(v, val, path, attr.Expr.Range().Ptr())
	}
}

// assignFromFlag applies one --var name=value.
func (l *loader) assignFromFlag(vars map[string]*variable, flag string) {
	name, raw, ok := strings.Cut(flag, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		// The text of a malformed flag is not echoed: it may be a secret
		// that lost its "name=" part.
		l.errorf(nil, "Invalid --var option",
			"The --var option takes name=value, for example --var owner=acme.")
		return
	}
	v := vars[name]
	if v == nil {
		l.errorf(nil, "Value for undeclared variable",
			"--var sets %q, but %s declares no variable of that name. Declare it first:\n\n  variable %q {}",
			name, FileName, name)
		return
	}
	l.assignRaw(v, raw, "--var")
}

// assignRaw applies a string from the command line or the environment.
// For a variable without a type or of type string the text is the value;
// for any other type it is parsed as an HCL expression, so that
// --var 'tags=["a","b"]' gives a list and --var attempts=3 a number.
func (l *loader) assignRaw(v *variable, raw, source string) {
	if v.sensitive {
		l.secrets.add(raw)
	}
	if v.literal {
		l.assign(v, cty.StringVal(raw), source, nil)
		return
	}
	filename := fmt.Sprintf("<value for var.%s>", v.name)
	expr, diags := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
	if !diags.HasErrors() {
		var val cty.Value
		val, diags = expr.Value(nil)
		if !diags.HasErrors() {
			l.assign(v, val, source, nil)
			return
		}
	}
	l.errorf(nil, "Invalid value for variable",
		"The value of var.%s from %s cannot be read: %s. A variable of type %s takes an HCL expression, like 3, true or [\"a\", \"b\"].",
		v.name, source, strings.TrimSuffix(diags[0].Detail, "."), typeName(v.ty))
	v.val, v.source = cty.DynamicVal, source
}

// assign converts val to the variable's type and records it. subject is
// the expression the value came from, nil for flags and the environment.
func (l *loader) assign(v *variable, val cty.Value, source string, subject *hcl.Range) {
	conv, err := convert.Convert(val, v.ty)
	if err != nil {
		l.errorf(subject, "Invalid value for variable",
			"The value of var.%s from %s is not suitable: %s.", v.name, source, err)
		v.val, v.source = cty.DynamicVal, source
		return
	}
	if conv.IsNull() {
		// null means "not set here", so a lower layer's value stands.
		return
	}
	v.val, v.source = conv, source
}

// typeName says a type the way a user wrote it in the spec.
func typeName(ty cty.Type) string {
	if ty == cty.DynamicPseudoType {
		return "value"
	}
	return typeexpr.TypeString(ty)
}
