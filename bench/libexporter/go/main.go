// client_golang figures for bench/libexporter.sh, measured in the same run as
// ours. Built in GOPATH mode against Debian's golang-github-prometheus-*-dev.
// Prints "<case> <ns/op> <allocs/op>" per case.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

func report(name string, r testing.BenchmarkResult) {
	fmt.Printf("%s %.2f %d\n", name, float64(r.T.Nanoseconds())/float64(r.N), r.AllocsPerOp())
}

func main() {
	runtime.GOMAXPROCS(2)
	testing.Init()
	flag.Set("test.benchtime", "300ms") // like the C side's minimum run time
	only := ""
	if len(os.Args) > 1 {
		only = os.Args[1]
	}
	run := func(name string, f func(b *testing.B)) {
		if only == "" || only == name {
			report(name, testing.Benchmark(f))
		}
	}

	run("counter_inc", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "h"})
		for i := 0; i < b.N; i++ {
			c.Inc()
		}
	})
	run("counter_inc_2threads", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "h"})
		b.SetParallelism(1)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	run("lookup_inc_2labels", func(b *testing.B) {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "h"},
			[]string{"method", "code"})
		v.WithLabelValues("GET", "200").Inc()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			v.WithLabelValues("GET", "200").Inc()
		}
	})
	run("histogram_observe", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h"})
		for i := 0; i < b.N; i++ {
			h.Observe(float64(i&127) * 0.01)
		}
	})
	run("histogram_observe_2threads", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h"})
		b.SetParallelism(1)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				h.Observe(float64(i&127) * 0.01)
				i++
			}
		})
	})
	var reg *prometheus.Registry
	build := func() *prometheus.Registry { // 1k families x 100 series, built once
		if reg != nil {
			return reg
		}
		reg = prometheus.NewRegistry()
		for f := 0; f < 1000; f++ {
			v := prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "bench_family_" + strconv.Itoa(f) + "_total", Help: "A benchmark family."},
				[]string{"instance", "path"})
			reg.MustRegister(v)
			for s := 0; s < 100; s++ {
				v.WithLabelValues("host-"+strconv.Itoa(s), "/api/v1/items").Add(float64(s * 7))
			}
		}
		return reg
	}
	write := func(format expfmt.Format) func(b *testing.B) {
		return func(b *testing.B) {
			reg := build()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				mfs, err := reg.Gather()
				if err != nil {
					panic(err)
				}
				enc := expfmt.NewEncoder(io.Discard, format)
				for _, mf := range mfs {
					if err := enc.Encode(mf); err != nil {
						panic(err)
					}
				}
				if c, ok := enc.(expfmt.Closer); ok {
					c.Close()
				}
			}
		}
	}
	run("write_100k_prom", write(expfmt.FmtText))
	run("write_100k_om", write(expfmt.FmtOpenMetrics))
}
