// SPDX-License-Identifier: GPL-2.0-or-later
//! IPMI commands in a session: framing and retransmission of one request, bridging to another
//! IPMB address, the completion-code check, and the chassis commands a fence agent needs.

use super::error::{err, Error, ErrorKind};
use super::framing::Framing;
use super::transport::Accept;
use super::Session;
use crate::msg::{self, ChassisControl, ChassisStatus, Privilege, Request, Response};
use rustha_support::Deadline;

impl Session {
    /// Send one IPMI request (in the session if one is open) and return the BMC's response, with
    /// retransmissions. Bridged to `target` when configured.
    pub fn command(&mut self, req: &Request, deadline: &Deadline) -> Result<Response, Error> {
        let bridged = self
            .cfg
            .target
            .filter(|&t| t != msg::BMC_ADDR && self.state.in_session());
        match bridged {
            None => self.raw_command(req, deadline),
            Some(t) => {
                let inner_seq = self.rq_seq.next();
                let inner = req.encode(t, msg::BMC_ADDR, inner_seq);
                let outer = msg::send_message(&inner);
                let r = self.raw_command(&outer, deadline)?;
                if r.completion != 0 {
                    return Err(err(
                        ErrorKind::Command,
                        format!(
                            "bridging to target {t:02X}h failed: Send Message: {} ({:02X}h)",
                            msg::completion_text(r.completion),
                            r.completion
                        ),
                    ));
                }
                msg::parse_bridged(&r.data, req, inner_seq).map_err(|e| {
                    err(
                        ErrorKind::Protocol,
                        format!("bridged response from target {t:02X}h: {e}"),
                    )
                })
            }
        }
    }

    /// One request to the BMC itself, framed for the current session.
    pub(super) fn raw_command(
        &mut self,
        req: &Request,
        deadline: &Deadline,
    ) -> Result<Response, Error> {
        let rq_seq = self.rq_seq.next();
        let body = req.encode(msg::BMC_ADDR, msg::CONSOLE_ADDR, rq_seq);
        let pw = self.cfg.password.expose().as_bytes();
        let rng = &mut *self.rng;
        self.t.exchange(
            command_name(req),
            &mut self.state,
            |st: &mut Framing| st.seal(&body, pw, rng),
            |st: &Framing, buf: &[u8]| match st.open(buf, pw) {
                Err(why) => Accept::Bad(why),
                Ok(m) => match Response::parse(&m) {
                    Ok(r) if r.answers(req, rq_seq) => Accept::Done(r),
                    Ok(_) => Accept::Ignore,
                    Err(e) => e.into(),
                },
            },
            deadline,
        )
    }

    /// A command that must succeed (completion code 00h); returns its data.
    fn checked(&mut self, req: &Request, deadline: &Deadline) -> Result<Vec<u8>, Error> {
        let r = self.command(req, deadline)?;
        completion(req, r, self.cfg.privilege)
    }

    pub fn chassis_status(&mut self, deadline: &Deadline) -> Result<ChassisStatus, Error> {
        let d = self.checked(&msg::get_chassis_status(), deadline)?;
        ChassisStatus::parse(&d).map_err(|e| err(ErrorKind::Protocol, e.to_string()))
    }

    pub fn chassis_control(
        &mut self,
        op: ChassisControl,
        deadline: &Deadline,
    ) -> Result<(), Error> {
        self.checked(&msg::chassis_control(op), deadline)
            .map(|_| ())
    }
}

/// The data of a response that must have succeeded, or why it did not.
fn completion(req: &Request, r: Response, privilege: Privilege) -> Result<Vec<u8>, Error> {
    match r.completion {
        0 => Ok(r.data),
        0xd4 => Err(err(
            ErrorKind::Privilege,
            format!(
                "{} refused: insufficient privilege (session runs as {}; the command needs operator or higher)",
                command_name(req),
                privilege.name()
            ),
        )),
        cc => Err(err(
            ErrorKind::Command,
            format!(
                "{} failed: {} ({cc:02X}h)",
                command_name(req),
                msg::completion_text(cc)
            ),
        )),
    }
}

pub(super) fn command_name(req: &Request) -> &'static str {
    match (req.netfn, req.cmd) {
        (msg::NETFN_CHASSIS, msg::CMD_GET_CHASSIS_STATUS) => "Get Chassis Status",
        (msg::NETFN_CHASSIS, msg::CMD_CHASSIS_CONTROL) => "Chassis Control",
        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_AUTH_CAPS) => {
            "Get Channel Authentication Capabilities"
        }
        (msg::NETFN_APP, msg::CMD_GET_SESSION_CHALLENGE) => "Get Session Challenge",
        (msg::NETFN_APP, msg::CMD_ACTIVATE_SESSION) => "Activate Session",
        (msg::NETFN_APP, msg::CMD_SET_SESSION_PRIV) => "Set Session Privilege Level",
        (msg::NETFN_APP, msg::CMD_CLOSE_SESSION) => "Close Session",
        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_CIPHER_SUITES) => "Get Channel Cipher Suites",
        (msg::NETFN_APP, msg::CMD_SEND_MESSAGE) => "Send Message",
        _ => "IPMI command",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(completion: u8) -> Response {
        Response {
            rq_addr: msg::CONSOLE_ADDR,
            netfn: msg::NETFN_CHASSIS | 1,
            rs_addr: msg::BMC_ADDR,
            rq_seq: 1,
            cmd: msg::CMD_CHASSIS_CONTROL,
            completion,
            data: vec![7],
        }
    }

    #[test]
    fn completion_codes_name_the_command() {
        let req = msg::chassis_control(ChassisControl::PowerDown);
        assert_eq!(
            completion(&req, response(0), Privilege::Operator).unwrap(),
            [7]
        );
        let e = completion(&req, response(0xd4), Privilege::User).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Privilege);
        assert!(
            e.message.starts_with(
                "Chassis Control refused: insufficient privilege (session runs as user;"
            ),
            "{e}"
        );
        let e = completion(&req, response(0xc1), Privilege::Operator).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Command);
        assert!(e.message.starts_with("Chassis Control failed: ") && e.message.ends_with("(C1h)"));
        assert_eq!(
            command_name(&msg::get_chassis_status()),
            "Get Chassis Status"
        );
        assert_eq!(command_name(&Request::new(0x30, 0x01, [])), "IPMI command");
    }
}
