// Adapter for Go's expfmt text parser (github.com/prometheus/common/expfmt,
// Debian golang-github-prometheus-common-dev). expfmt has no OpenMetrics
// parser, so OpenMetrics cases go through the same 0.0.4 TextParser.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func num(v float64) interface{} {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return v
}

type sample struct {
	Family    string            `json:"family"`
	Type      string            `json:"type"`
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	Value     interface{}       `json:"value"`
	Timestamp interface{}       `json:"timestamp"`
	Exemplar  interface{}       `json:"exemplar"`
}

// run parses one input; with dump it also returns the samples.
func run(in io.Reader, dump bool) ([]sample, error) {
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(in)
	if err != nil || !dump {
		return nil, err
	}
	out := []sample{}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := fams[n]
		typ := map[dto.MetricType]string{dto.MetricType_COUNTER: "counter", dto.MetricType_GAUGE: "gauge",
			dto.MetricType_HISTOGRAM: "histogram", dto.MetricType_SUMMARY: "summary",
			dto.MetricType_UNTYPED: "untyped"}[f.GetType()]
		for _, m := range f.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			var ts interface{}
			if m.TimestampMs != nil {
				ts = float64(m.GetTimestampMs()) / 1000
			}
			emit := func(name string, extra map[string]string, v float64) {
				ls := map[string]string{}
				for k, val := range labels {
					ls[k] = val
				}
				for k, val := range extra {
					ls[k] = val
				}
				out = append(out, sample{n, typ, name, ls, num(v), ts, nil})
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				emit(n, nil, m.Counter.GetValue())
			case dto.MetricType_GAUGE:
				emit(n, nil, m.Gauge.GetValue())
			case dto.MetricType_UNTYPED:
				emit(n, nil, m.Untyped.GetValue())
			case dto.MetricType_SUMMARY:
				for _, q := range m.Summary.Quantile {
					emit(n, map[string]string{"quantile": strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64)}, q.GetValue())
				}
				emit(n+"_sum", nil, m.Summary.GetSampleSum())
				emit(n+"_count", nil, float64(m.Summary.GetSampleCount()))
			case dto.MetricType_HISTOGRAM:
				for _, b := range m.Histogram.Bucket {
					emit(n+"_bucket", map[string]string{"le": strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)}, float64(b.GetCumulativeCount()))
				}
				emit(n+"_sum", nil, m.Histogram.GetSampleSum())
				emit(n+"_count", nil, float64(m.Histogram.GetSampleCount()))
			}
		}
	}
	return out, nil
}

// Batch mode (see spec-tests/README.md): one JSON request per line on stdin,
// one JSON reply per line on stdout.
type request struct {
	Format string `json:"format"`
	Dump   bool   `json:"dump"`
	Input  []byte `json:"input"` // base64 in JSON
}

type reply struct {
	Accepted bool     `json:"accepted"`
	Error    string   `json:"error,omitempty"`
	Samples  []sample `json:"samples,omitempty"`
}

func batch() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return
		}
		var req request
		var rep reply
		if e := json.Unmarshal(line, &req); e != nil {
			rep.Error = "bad request: " + e.Error()
		} else if s, e := run(bytes.NewReader(req.Input), req.Dump); e != nil {
			rep.Error = e.Error()
		} else {
			rep.Accepted, rep.Samples = true, s
		}
		enc.Encode(rep)
		out.Flush()
	}
}

func main() {
	dump := false
	for _, a := range os.Args[1:] {
		switch a {
		case "--dump":
			dump = true
		case "--batch-probe":
			fmt.Println("omx-spec-batch 1")
			return
		case "--batch":
			batch()
			return
		}
	}
	s, err := run(os.Stdin, dump)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, x := range s {
		enc.Encode(x)
	}
}
