package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/bulkseed"
	"github.com/pspbackoffice/backoffice/internal/config"
)

// seedBulk is `backoffice seed --orders N`: the benchmark data set, written in bulk.
func seedBulk(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var opt bulkseed.Options
	var seed uint64
	fs.IntVar(&opt.Orders, "orders", 0, "how many orders to write (with their items, fulfilments, refunds)")
	fs.BoolVar(&opt.Append, "append", false, "add to a database that is not empty")
	fs.IntVar(&opt.Days, "days", 180, "days of history the orders spread over")
	fs.IntVar(&opt.Merchants, "merchants", 0, "merchants of a new bench PSP (default: orders/5000, 3 to 400)")
	fs.IntVar(&opt.SettleLagDays, "settle-lag", 3, "settle every day up to today minus this many (-1: no settlements)")
	fs.IntVar(&opt.SettleDays, "settle-days", 28, "days with a settlement run each before that; older ones are settled in one catch-up run")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: backoffice seed --orders N [--append] [--days 180] [--merchants M] [--settle-lag 3]\n\n"+
			"Writes the benchmark data set to DATABASE_URL in bulk (COPY on PostgreSQL). Logins: "+
			bulkseed.AdminEmail+" (PSP_ADMIN), "+bulkseed.MerchantAdminEmail(1)+" (the largest merchant's MERCHANT_ADMIN),\n"+
			"password "+bulkseed.Password+".\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	opt.Seed = seed
	opt.Progress = os.Stderr
	d, err := app.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := bulkseed.Run(ctx, d, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d orders (%d items, %d fulfilments with %d lines, %d refunds with %d lines) for %d merchants in %s;\n"+
		"%d settlements over %d days in %s; statistics in %s; total %s\n",
		res.Orders, res.Items, res.Fulfilments, res.FulfilmentLines, res.Refunds, res.RefundLines, res.Merchants,
		res.OrdersTook.Round(time.Millisecond), res.Settlements, res.SettlementDays, res.SettleTook.Round(time.Millisecond),
		res.StatTook.Round(time.Millisecond), res.Took.Round(time.Millisecond))
	return nil
}
