//! Every mail the server writes, in one place: a plain-text part and an HTML part each.
//! What comes from people (names, titles, excerpts, blog names) is escaped in the HTML
//! part, links are escaped as attribute values, and the subject loses line breaks, so no
//! name can add markup, a link or a header to a mail.

use pint_model::render::escape_html as esc;

use super::Mail;

/// A line of a subject: control characters (line breaks among them) become spaces.
fn subject(text: String) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The HTML part: a short, readable letter (no images, no remote content); long words
/// wrap, so a narrow phone never scrolls sideways; no colours of its own, so a mail app
/// in dark mode shows it in its own.
fn html(paragraphs: &[String]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"color-scheme\" content=\"light dark\"></head>\
         <body style=\"font-family: Georgia, serif; font-size: 17px; line-height: 1.55; \
         max-width: 34em; margin: 1.5em auto; padding: 0 1em; \
         overflow-wrap: anywhere\">\n{body}</body></html>\n"
    )
}

/// A link with words for its text (the address itself is in the plain-text part).
fn link(url: &str, words: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(url), esc(words))
}

/// The mail that confirms an account's address.
pub fn verify_email(to: &str, name: &str, link_url: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Confirm your email address for Pint".into(),
        text: format!(
            "Hello {name},\n\nopen this link to confirm that this address is yours:\n\n\
             {link_url}\n\n\
             The link works once, for 7 days. If you did not sign up for Pint, ignore this mail.\n"
        ),
        html: html(&[
            format!("Hello {},", esc(name)),
            "open this link to confirm that this address is yours:".into(),
            link(link_url, "Confirm my address"),
            "The link works once, for 7 days. If you did not sign up for Pint, ignore this mail."
                .into(),
        ]),
        list_unsubscribe: None,
    }
}

/// The mail with a link to choose a new password.
pub fn reset_password(to: &str, name: &str, link_url: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Reset your Pint password".into(),
        text: format!(
            "Hello {name},\n\nsomeone (we hope you) asked to reset the password of your \
             Pint account. Choose a new one here:\n\n\
             {link_url}\n\n\
             The link works once, for one hour. If you did not ask, ignore this mail: \
             your password stays as it is.\n"
        ),
        html: html(&[
            format!("Hello {},", esc(name)),
            "someone (we hope you) asked to reset the password of your Pint account. \
             Choose a new one here:"
                .into(),
            link(link_url, "Choose a new password"),
            "The link works once, for one hour. If you did not ask, ignore this mail: \
             your password stays as it is."
                .into(),
        ]),
        list_unsubscribe: None,
    }
}

/// The mail that invites someone to a blog.
pub fn invite(to: &str, inviter: &str, blog: &str, role: &str, link_url: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: subject(format!("You are invited to {blog} on Pint")),
        text: format!(
            "Hello,\n\n{inviter} invites you to join the blog \"{blog}\" on Pint as {role}.\n\n\
             Accept here (sign in or create an account with this address first):\n\n\
             {link_url}\n\n\
             The link works once, for 7 days.\n"
        ),
        html: html(&[
            "Hello,".into(),
            format!(
                "{} invites you to join the blog “{}” on Pint as {}.",
                esc(inviter),
                esc(blog),
                esc(role)
            ),
            "Accept here (sign in or create an account with this address first):".into(),
            link(link_url, "Accept the invitation"),
            "The link works once, for 7 days.".into(),
        ]),
        list_unsubscribe: None,
    }
}

/// The mail a reader gets to confirm a subscription to a blog.
pub fn confirm_subscription(
    to: &str,
    blog: &str,
    confirm_url: &str,
    unsubscribe_url: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: subject(format!("Confirm your subscription to {blog}")),
        text: format!(
            "Someone (we hope you) asked to receive new posts of {blog} at this address.\n\n\
             To confirm, open:\n{confirm_url}\n\n\
             If it was not you, ignore this mail: nothing will be sent.\n\n\
             Unsubscribe at any time: {unsubscribe_url}\n"
        ),
        html: html(&[
            format!(
                "Someone (we hope you) asked to receive new posts of {} at this address.",
                esc(blog)
            ),
            link(confirm_url, "Confirm my subscription"),
            "If it was not you, ignore this mail: nothing will be sent.".into(),
            format!(
                "<small>{} at any time.</small>",
                link(unsubscribe_url, "Unsubscribe")
            ),
        ]),
        list_unsubscribe: None,
    }
}

/// A new post, to a subscriber of its blog.
pub fn new_post(
    to: &str,
    title: &str,
    excerpt: &str,
    blog: &str,
    post_url: &str,
    unsubscribe_url: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: subject(format!("{title} – {blog}")),
        text: format!(
            "{title}\n\n{excerpt}\n\nRead it: {post_url}\n\n--\nYou subscribed to new posts of \
             {blog}. Stop them with one click: {unsubscribe_url}\n"
        ),
        html: html(&[
            format!(
                "<strong style=\"font-size: 1.3em\">{}</strong>",
                link(post_url, title)
            ),
            esc(excerpt),
            link(post_url, "Read it on the blog"),
            format!(
                "<small>You subscribed to new posts of {}. {} with \
                 one click.</small>",
                esc(blog),
                link(unsubscribe_url, "Stop them")
            ),
        ]),
        list_unsubscribe: Some(unsubscribe_url.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "Eve <script>alert(1)</script> \"quoted\" & <img src=x onerror=alert(2)>";
    const HOSTILE_URL: &str = "https://pint.example/x?token=a\"><script>alert(3)</script>";

    fn every_mail() -> Vec<Mail> {
        vec![
            verify_email("a@example.com", HOSTILE, HOSTILE_URL),
            reset_password("a@example.com", HOSTILE, HOSTILE_URL),
            invite("a@example.com", HOSTILE, HOSTILE, HOSTILE, HOSTILE_URL),
            confirm_subscription("a@example.com", HOSTILE, HOSTILE_URL, HOSTILE_URL),
            new_post(
                "a@example.com",
                HOSTILE,
                HOSTILE,
                HOSTILE,
                HOSTILE_URL,
                HOSTILE_URL,
            ),
        ]
    }

    #[test]
    fn what_people_wrote_is_text_in_the_html_part() {
        for mail in every_mail() {
            let html = &mail.html;
            for raw in [
                "<script",
                "<img",
                "onerror=alert(2)>",
                "\"quoted\"",
                "a\"><",
            ] {
                assert!(!html.contains(raw), "{raw} in {html}");
            }
            assert!(
                html.contains("&lt;script&gt;") || html.contains("alert(3)"),
                "{html}"
            );
            // The link is there, escaped as an attribute value.
            assert!(
                html.contains("href=\"https://pint.example/x?token=a&quot;&gt;&lt;script&gt;"),
                "{html}"
            );
        }
    }

    #[test]
    fn the_text_part_says_the_same_with_the_link_whole() {
        for mail in every_mail() {
            assert!(mail.text.contains(HOSTILE_URL), "{}", mail.text);
            assert!(!mail.text.contains("&lt;"), "{}", mail.text);
        }
    }

    #[test]
    fn no_name_adds_a_header() {
        let mail = invite(
            "a@example.com",
            "Eve",
            "Blog\r\nBcc: everyone@example.com",
            "viewer",
            "https://pint.example/i",
        );
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        let post = new_post(
            "a@example.com",
            "Title\nX-Evil: 1",
            "",
            "Blog",
            "https://b/p",
            "https://b/u",
        );
        assert_eq!(post.subject, "Title X-Evil: 1 – Blog");
    }
}
