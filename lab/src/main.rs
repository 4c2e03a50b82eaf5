//! `crumbtrail-lab`: serves the playground and live mode's lab on loopback.
//!
//! ```text
//! crumbtrail-lab [--dist DIR] [--app-port N] [--api-port N]
//!                [--https] [--https-app-port N] [--https-api-port N] [--cert-out FILE]
//!                [--max-connections N] [--real DIR]
//! ```
//!
//! `--real DIR` (DIR holds `express-4/` and `express-5/` with their
//! `node_modules`, and the virtual environments `django-4.2/` and `django-5.2/`):
//! runs of an Express or Django scenario are answered by the real framework,
//! started from the generated `app.js` or `settings.py`, instead of the model.

use std::path::PathBuf;

use crumbtrail_lab::{start, LabConfig};

const USAGE: &str = "usage: crumbtrail-lab [--dist DIR] [--app-port N] [--api-port N] \
[--https] [--https-app-port N] [--https-api-port N] [--cert-out FILE] [--max-connections N] \
[--real DIR]";

fn parse_args() -> Result<(LabConfig, Option<PathBuf>), String> {
    let mut config = LabConfig {
        dist: Some(PathBuf::from("dist")),
        ..LabConfig::default()
    };
    let mut cert_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        let port = |v: String| v.parse::<u16>().map_err(|_| format!("`{v}` is not a port"));
        match arg.as_str() {
            "--dist" => config.dist = Some(PathBuf::from(value("--dist")?)),
            "--no-dist" => config.dist = None,
            "--app-port" => config.app_port = port(value("--app-port")?)?,
            "--api-port" => config.api_port = port(value("--api-port")?)?,
            "--https" => config.https = true,
            "--https-app-port" => {
                config.https = true;
                config.https_app_port = port(value("--https-app-port")?)?
            }
            "--https-api-port" => {
                config.https = true;
                config.https_api_port = port(value("--https-api-port")?)?
            }
            "--cert-out" => cert_out = Some(PathBuf::from(value("--cert-out")?)),
            "--max-connections" => {
                let v = value("--max-connections")?;
                config.max_connections = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(format!("`{v}` is not a number of connections"))?
            }
            "--real" => {
                config.real = Some(crumbtrail_lab::real::RealFrameworks {
                    dir: PathBuf::from(value("--real")?),
                })
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((config, cert_out))
}

#[tokio::main]
async fn main() {
    let (config, cert_out) = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Some(dist) = &config.dist {
        if !dist.join("index.html").is_file() {
            eprintln!(
                "warning: {} has no index.html; build the playground first (the lab still answers live requests)",
                dist.display()
            );
        }
    }
    let lab = match start(config).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("cannot start the lab: {e} (is another lab or server using the port? pick others with --app-port/--api-port)");
            std::process::exit(1);
        }
    };
    let p = &lab.ports;
    println!("Crumbtrail is running (loopback only). Open:");
    println!("    {}", lab.app_url());
    println!(
        "Live mode lab origins: http://localhost:{app}, http://localhost:{api} (same site), \
         http://127.0.0.1:{api} and http://api.localhost:{api} (other sites)",
        app = p.app,
        api = p.api
    );
    if let (Some(a), Some(b)) = (p.https_app, p.https_api) {
        println!(
            "HTTPS (self-signed certificate made now; accept it in the browser once per port): \
             https://localhost:{a}/ and https://localhost:{b}"
        );
        if let (Some(path), Some(pem)) = (cert_out, &lab.certificate_pem) {
            match std::fs::write(&path, pem) {
                Ok(()) => println!("certificate written to {}", path.display()),
                Err(e) => eprintln!("cannot write the certificate to {}: {e}", path.display()),
            }
        }
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
}
