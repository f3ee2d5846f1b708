package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/pspbackoffice/backoffice/internal/bench"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
)

// runBench is `backoffice bench`: measure a running server on the benchmark data set.
func runBench(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	c := bench.Config{Log: os.Stderr}
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "the running server")
	fs.IntVar(&c.PID, "pid", 0, "the server's process id for its memory (default: the process listening on --url's port)")
	fs.IntVar(&c.Requests, "requests", 200, "timed requests per read")
	fs.IntVar(&c.Warmup, "warmup", 20, "untimed requests before them")
	fs.IntVar(&c.Clients, "clients", 32, "concurrent clients for fulfil and refund")
	fs.IntVar(&c.Ops, "ops", 2000, "orders to create, fulfil and refund (0: skip)")
	fs.BoolVar(&c.Settle, "settle", true, "run the next unsettled day's settlement and the overview")
	fs.StringVar(&c.AdminEmail, "admin", "", "PSP admin login (default: the bench data set's)")
	fs.StringVar(&c.MerchantEmail, "merchant", "", "merchant admin login of a large merchant (default: the bench data set's largest)")
	fs.StringVar(&c.Password, "password", "", "their password (default: the bench data set's)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: backoffice bench [--url http://127.0.0.1:8080] [--pid N] [--requests 200] [--ops 2000]\n\n"+
			"Measures the server at --url on the database at DATABASE_URL (PostgreSQL, seeded with `backoffice seed --orders N`)\n"+
			"and prints a Markdown report on stdout. A run creates --ops orders and settles one day: it changes the data.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := db.OpenWith(cfg.DatabaseURL, cfg.DBOptions())
	if err != nil {
		return err
	}
	defer d.Close()
	c.DB = d
	rep, err := bench.Run(ctx, c)
	if err != nil {
		return err
	}
	rep.Markdown(os.Stdout)
	return nil
}
