//! The LoCoMo benchmark file: samples, their conversations and QA.

use super::*;

/// One LoCoMo question with its evidence normalised to dia_ids present in
/// the conversation.
#[derive(Debug, Clone, Serialize)]
pub struct LocomoQa {
    pub question: String,
    pub answer: String,
    pub category: i64,
    /// Valid evidence dia_ids (`D3:7`), deduplicated, in the order given.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LocomoSample {
    pub id: String,
    pub conversation: Conversation,
    pub qa: Vec<LocomoQa>,
}

fn dia_id_parts(s: &str) -> Option<(u32, u32)> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"^[Dd]:?(\d+):(\d+)$").unwrap());
    let c = re.captures(s.trim())?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// Normalises LoCoMo evidence strings to dia_ids of the conversation:
/// `"D8:6; D9:17"` is split, `"D30:05"` and `"D:11:26"` are repaired,
/// anything else (`"D"`, ids not in the conversation) is dropped; all counted.
pub fn locomo_evidence(
    raw: &Value,
    valid: &std::collections::HashSet<String>,
    q: &mut Quirks,
) -> Vec<String> {
    let items: Vec<Value> = match raw {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        v => {
            q.add("evidence not a list");
            vec![v.clone()]
        }
    };
    let mut out: Vec<String> = Vec::new();
    for it in items {
        let Some(s) = str_of(&it) else {
            q.add("evidence item not a string (dropped)");
            continue;
        };
        let pieces: Vec<&str> = s
            .split([';', ',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() > 1 {
            q.add("evidence with several ids in one string (split)");
        }
        for p in pieces {
            let Some((a, b)) = dia_id_parts(p) else {
                q.add("evidence malformed (dropped)");
                continue;
            };
            let id = format!("D{a}:{b}");
            if id != p {
                q.add("evidence repaired (leading zero or extra colon)");
            }
            if !valid.contains(&id) {
                q.add("evidence not in the conversation (dropped)");
                continue;
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// Parses a LoCoMo file: samples, their conversations and QA.
pub fn parse_locomo(v: &Value, q: &mut Quirks) -> Result<Vec<LocomoSample>> {
    Ok(unique_ids(locomo_samples(v)?, "sample_id", q)
        .iter()
        .enumerate()
        .filter_map(|(i, s)| parse_locomo_sample(i, s, q))
        .collect())
}

/// The samples of a LoCoMo file.
pub fn locomo_samples(v: &Value) -> Result<&[Value]> {
    match v {
        Value::Array(samples) => Ok(samples),
        _ => bail!(
            "a LoCoMo file is a JSON list of samples (with `sample_id`, `conversation`, `qa`)"
        ),
    }
}

/// The `i`-th sample of a LoCoMo file (`None`: skipped, and counted).
pub fn parse_locomo_sample(i: usize, s: &Value, q: &mut Quirks) -> Option<LocomoSample> {
    let id = s.get("sample_id").and_then(str_of).unwrap_or_else(|| {
        q.add("sample without sample_id (numbered)");
        format!("sample-{}", i + 1)
    });
    let Some(conv) = s.get("conversation").and_then(Value::as_object) else {
        q.add("sample without conversation (skipped)");
        return None;
    };
    let conv_seg = segment(&id, "conversation");
    let mut nums: Vec<u32> = Vec::new();
    for (k, val) in conv {
        if let Some(n) = k
            .strip_prefix("session_")
            .and_then(|r| r.parse::<u32>().ok())
        {
            if val.is_array() {
                nums.push(n);
            } else {
                q.add("session that is not a list (skipped)");
            }
        } else if let Some(n) = k
            .strip_prefix("session_")
            .and_then(|r| r.strip_suffix("_date_time"))
            .and_then(|r| r.parse::<u32>().ok())
            && !conv
                .get(&format!("session_{n}"))
                .is_some_and(Value::is_array)
        {
            q.add("session date without a session (ignored)");
        }
    }
    nums.sort_unstable();
    let mut sessions = Vec::new();
    let mut valid = std::collections::HashSet::new();
    for n in nums {
        let turns_v = conv[&format!("session_{n}")].as_array().unwrap();
        let date = match conv.get(&format!("session_{n}_date_time")).and_then(str_of) {
            Some(d) => parse_date(&d).or_else(|| {
                q.add("session date not understood (no observed date)");
                None
            }),
            None => {
                q.add("session without a date");
                None
            }
        };
        let mut turns = Vec::new();
        for (ti, t) in turns_v.iter().enumerate() {
            let speaker = t.get("speaker").and_then(str_of).unwrap_or_else(|| {
                q.add("turn without speaker");
                "unknown".into()
            });
            let Some(mut text) = turn_text(t.get("text")) else {
                q.add(TEXT_NOT_A_STRING);
                continue;
            };
            if let Some(cap) = t.get("blip_caption").and_then(str_of) {
                // Image turns: the caption is what the image says in words.
                let cap = cap.trim();
                if !cap.is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&format!("[shared an image: {cap}]"));
                }
            }
            if text.trim().is_empty() {
                q.add("empty turn (skipped)");
                continue;
            }
            let dia = match t.get("dia_id").and_then(str_of) {
                Some(d) => match dia_id_parts(&d) {
                    Some((a, b)) => {
                        let norm = format!("D{a}:{b}");
                        if norm != d {
                            q.add("dia_id repaired");
                        }
                        if a != n {
                            q.add("dia_id of another session (kept)");
                        }
                        norm
                    }
                    None => {
                        q.add("dia_id malformed (position used)");
                        format!("D{n}:{}", ti + 1)
                    }
                },
                None => {
                    q.add("turn without dia_id (position used)");
                    format!("D{n}:{}", ti + 1)
                }
            };
            // A repeated dia_id names the first turn that has it; a later
            // turn with the same id gets `~2`, `~3`, … so every entry has a
            // ref of its own (a re-ingest matches each turn to its entry).
            let dia = if valid.insert(dia.clone()) {
                dia
            } else {
                q.add("dia_id repeated in a conversation (renamed `~2`, `~3`, …)");
                renamed(&dia, &mut valid)
            };
            turns.push(Turn {
                speaker,
                text,
                reference: format!("locomo:{id}:{dia}"),
                has_answer: false,
            });
        }
        sessions.push(Session {
            slug: format!("session-{n:02}"),
            reference: format!("locomo:{id}:D{n}"),
            date,
            turns,
        });
    }
    let mut qa = Vec::new();
    for item in s
        .get("qa")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let Some(question) = item
            .get("question")
            .and_then(str_of)
            .filter(|s| !s.trim().is_empty())
        else {
            q.add("qa without question (skipped)");
            continue;
        };
        let answer = match item
            .get("answer")
            .or_else(|| item.get("adversarial_answer"))
        {
            Some(Value::Number(n)) => {
                q.add("answer is a number");
                n.to_string()
            }
            Some(v) => str_of(v).unwrap_or_default(),
            None => {
                q.add("qa without answer");
                String::new()
            }
        };
        let category = match item.get("category") {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
            Some(Value::String(c)) if c.trim().parse::<i64>().is_ok() => {
                q.add("category as text (read as a number)");
                c.trim().parse().unwrap_or(0)
            }
            _ => {
                q.add("qa without category");
                0
            }
        };
        let evidence = locomo_evidence(item.get("evidence").unwrap_or(&Value::Null), &valid, q);
        qa.push(LocomoQa {
            question,
            answer,
            category,
            evidence,
        });
    }
    Some(LocomoSample {
        conversation: Conversation {
            domain: "locomo".into(),
            topic: conv_seg,
            sessions,
        },
        id,
        qa,
    })
}
