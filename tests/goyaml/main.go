// Command goyaml decodes YAML the way Kubernetes does, for blastwall's differential
// test (tests/suite/yaml_differential.rs) and its fuzz target (fuzz/).
//
// It reads frames from standard input and writes one JSON line per frame:
//
//	stream <length>\n<bytes>   a manifest file as kubectl reads it: the text is cut into
//	                           documents at lines starting with "---", every line ends with
//	                           "\n" (the last one too), and each document goes through
//	                           sigs.k8s.io/yaml.YAMLToJSON; null documents are skipped.
//	section <length>\n<bytes>  one aws-auth section (mapRoles, mapUsers, mapAccounts) as
//	                           aws-iam-authenticator reads it: YAMLToJSON of the whole text
//	                           (go-yaml v2 reads its first document only).
//
// The answer is {"ok":true,"docs":[...]} with the JSON Kubernetes would see, or
// {"ok":false,"error":"..."}. Build (no network, Debian's packages):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o target/goyaml tests/goyaml/main.go
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

type answer struct {
	OK    bool              `json:"ok"`
	Docs  []json.RawMessage `json:"docs,omitempty"`
	Error string            `json:"error,omitempty"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	for {
		header, err := in.ReadString('\n')
		if err == io.EOF && header == "" {
			return
		}
		if err != nil {
			fail(err)
		}
		fields := strings.Fields(header)
		if len(fields) != 2 {
			fail(fmt.Errorf("bad frame header %q", header))
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			fail(err)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(in, body); err != nil {
			fail(err)
		}
		var a answer
		switch fields[0] {
		case "stream":
			a = decodeStream(body)
		case "section":
			a = decodeSection(body)
		default:
			fail(fmt.Errorf("unknown frame kind %q", fields[0]))
		}
		line, err := json.Marshal(a)
		if err != nil {
			fail(err)
		}
		out.Write(line)
		out.WriteByte('\n')
		// The caller waits for each answer before sending the next frame.
		if in.Buffered() == 0 {
			out.Flush()
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goyaml:", err)
	os.Exit(2)
}

func decodeSection(body []byte) answer {
	doc, err := yaml.YAMLToJSON(body)
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{OK: true, Docs: []json.RawMessage{doc}}
}

func decodeStream(body []byte) answer {
	docs, err := splitLikeKubectl(body)
	if err != nil {
		return answer{Error: err.Error()}
	}
	a := answer{OK: true}
	for _, d := range docs {
		j, err := yaml.YAMLToJSON(d)
		if err != nil {
			return answer{Error: err.Error()}
		}
		if string(j) == "null" {
			continue
		}
		a.Docs = append(a.Docs, j)
	}
	return a
}

// splitLikeKubectl cuts a stream into documents as k8s.io/apimachinery's YAML reader
// does for kubectl, Flux and Argo CD: line by line (a line ends at "\n" or "\r\n",
// and is passed on ending with "\n" even when the text does not end with one); a
// line that starts with "---" ends the document so far, and anything after the
// "---" other than blanks or a comment is an error.
func splitLikeKubectl(body []byte) ([][]byte, error) {
	var docs [][]byte
	var cur bytes.Buffer
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
			line = bytes.TrimSuffix(line, []byte("\r"))
		} else {
			line, body = body, nil
		}
		if bytes.HasPrefix(line, []byte("---")) {
			rest := strings.TrimSpace(string(line[3:]))
			if rest != "" && rest[0] != '#' {
				return nil, fmt.Errorf("invalid Yaml document separator: %s", rest)
			}
			if cur.Len() > 0 {
				docs = append(docs, append([]byte(nil), cur.Bytes()...))
				cur.Reset()
			}
			continue
		}
		cur.Write(line)
		cur.WriteByte('\n')
	}
	if cur.Len() > 0 {
		docs = append(docs, cur.Bytes())
	}
	return docs, nil
}
