//! A real DNS server on 127.0.0.1 (UDP, the wire format of RFC 1035 through
//! hickory-proto) that answers TXT questions from a table the test fills: the DNS host
//! where a blog's owner adds their verification record. Other questions get an empty
//! answer. Stops when dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};

pub struct FakeDns {
    pub addr: SocketAddr,
    records: Arc<Mutex<HashMap<String, Vec<String>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeDns {
    pub async fn start() -> Self {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("a UDP port");
        let addr = socket.local_addr().expect("its address");
        let records: Arc<Mutex<HashMap<String, Vec<String>>>> = Arc::default();
        let table = Arc::clone(&records);
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                    return;
                };
                let Ok(question) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut answer = Message::new();
                answer
                    .set_id(question.id())
                    .set_message_type(MessageType::Response)
                    .set_op_code(question.op_code())
                    .set_recursion_desired(question.recursion_desired())
                    .set_recursion_available(true)
                    .set_authoritative(true)
                    .set_response_code(ResponseCode::NoError);
                for q in question.queries() {
                    answer.add_query(q.clone());
                    let name = q
                        .name()
                        .to_ascii()
                        .trim_end_matches('.')
                        .to_ascii_lowercase();
                    if q.query_type() != RecordType::TXT {
                        continue;
                    }
                    let found = table
                        .lock()
                        .map(|t| t.get(&name).cloned().unwrap_or_default())
                        .unwrap_or_default();
                    for value in found {
                        answer.add_answer(Record::from_rdata(
                            q.name().clone(),
                            60,
                            RData::TXT(TXT::new(vec![value])),
                        ));
                    }
                }
                if let Ok(bytes) = answer.to_vec() {
                    let _ = socket.send_to(&bytes, from).await;
                }
            }
        });
        FakeDns {
            addr,
            records,
            task,
        }
    }

    /// Put a TXT record at `name` (next to any there).
    pub fn add_txt(&self, name: &str, value: &str) {
        self.records
            .lock()
            .expect("the table")
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.to_owned());
    }
}

impl Drop for FakeDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}
