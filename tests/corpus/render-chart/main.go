// Renders a Helm chart without subcharts the way `helm template` does, for the
// add-on corpus (tests/corpus/addons/*/SOURCE), where the Helm CLI could not be
// installed. Build in GOPATH mode with Debian's golang-github-masterminds-sprig-dev
// and golang-k8s-sigs-yaml-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o render tests/corpus/render-chart/main.go
//	./render CHART_DIR RELEASE NAMESPACE [key=value ...]   (dots in a key escaped as \.)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type caps struct {
	KubeVersion map[string]string
	APIVersions apiVersions
}
type apiVersions []string

func (a apiVersions) Has(s string) bool {
	for _, v := range a {
		if v == s {
			return true
		}
	}
	return false
}

type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func setPath(m map[string]interface{}, key string, val interface{}) {
	parts := strings.Split(strings.ReplaceAll(key, `\.`, "\x00"), ".")
	for i := range parts {
		parts[i] = strings.ReplaceAll(parts[i], "\x00", ".")
	}
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = val
}

func main() {
	// render CHART RELEASE NAMESPACE [key=value ...]
	chart, release, ns := os.Args[1], os.Args[2], os.Args[3]
	raw, err := os.ReadFile(filepath.Join(chart, "values.yaml"))
	must(err)
	values := map[string]interface{}{}
	must(yaml.Unmarshal(raw, &values))
	for _, kv := range os.Args[4:] {
		i := strings.Index(kv, "=")
		var v interface{}
		must(yaml.Unmarshal([]byte(kv[i+1:]), &v))
		setPath(values, kv[:i], v)
	}
	craw, err := os.ReadFile(filepath.Join(chart, "Chart.yaml"))
	must(err)
	cm := map[string]interface{}{}
	must(yaml.Unmarshal(craw, &cm))
	chartObj := map[string]interface{}{}
	for k, v := range cm {
		chartObj[strings.ToUpper(k[:1])+k[1:]] = v
	}
	name := cm["name"].(string)
	fs := files{}
	filepath.Walk(chart, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(chart, p)
			b, _ := os.ReadFile(p)
			fs[rel] = b
		}
		return nil
	})

	t := template.New("gotpl")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includedNames := map[string]int{}
	funcs["include"] = func(n string, data interface{}) (string, error) {
		includedNames[n]++
		defer func() { includedNames[n]-- }()
		if includedNames[n] > 1000 {
			return "", fmt.Errorf("recursion in %s", n)
		}
		var buf bytes.Buffer
		err := t.ExecuteTemplate(&buf, n, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		c, err = c.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = c.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, fmt.Errorf(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, fmt.Errorf(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf(msg) }
	funcs["toYaml"] = func(v interface{}) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	funcs["toYamlPretty"] = funcs["toYaml"]
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string { b, _ := json.Marshal(v); return string(b) }
	funcs["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		json.Unmarshal([]byte(s), &m)
		return m
	}
	funcs["lookup"] = func(a, b, c, d string) map[string]interface{} { return map[string]interface{}{} }
	t.Funcs(funcs).Option("missingkey=zero")

	var names []string
	for rel := range fs {
		if strings.HasPrefix(rel, "templates/") && (strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".tpl")) {
			names = append(names, rel)
		}
	}
	sort.Strings(names)
	for _, rel := range names {
		_, err := t.New(name + "/" + rel).Parse(string(fs[rel]))
		must(err)
	}
	top := map[string]interface{}{
		"Values":  values,
		"Chart":   chartObj,
		"Release": map[string]interface{}{"Name": release, "Namespace": ns, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": caps{
			KubeVersion: map[string]string{"Version": "v1.33.0", "Major": "1", "Minor": "33", "GitVersion": "v1.33.0"},
			APIVersions: apiVersions{"v1", "apps/v1", "batch/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiregistration.k8s.io/v1", "networking.k8s.io/v1", "autoscaling/v2"},
		},
		"Files": fs,
	}
	for _, rel := range names {
		if strings.HasPrefix(filepath.Base(rel), "_") {
			continue
		}
		full := name + "/" + rel
		top["Template"] = map[string]interface{}{"Name": full, "BasePath": name + "/templates"}
		var buf bytes.Buffer
		must(t.ExecuteTemplate(&buf, full, top))
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		// Helm splits on document markers and drops documents that are empty.
		for _, doc := range strings.Split(out, "\n---") {
			doc = strings.TrimPrefix(doc, "---")
			if strings.TrimSpace(doc) == "" {
				continue
			}
			allComments := true
			for _, l := range strings.Split(doc, "\n") {
				l = strings.TrimSpace(l)
				if l != "" && !strings.HasPrefix(l, "#") {
					allComments = false
				}
			}
			if allComments {
				continue
			}
			fmt.Printf("---\n# Source: %s\n%s\n", full, strings.Trim(doc, "\n"))
		}
	}
}
