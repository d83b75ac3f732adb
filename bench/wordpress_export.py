"""A deterministic synthetic WordPress export (WXR 1.2) for the import benchmark.

    python bench/wordpress_export.py --posts 13000 --comments 50000 --out export.xml

Posts are classic-editor text (blank lines for paragraphs, a few [caption]
shortcodes, lists, links and `<!--more-->`) and block-editor HTML in turn;
comments are spread over the posts with a Zipf-like popularity, about one
in four a reply (some replies to replies), a few awaiting moderation, spam
or pingbacks. The prose comes from bench/generate.py's word lists; the same
seed writes the same file. It is written as a stream, like the exports
WordPress writes.
"""

import argparse
import datetime
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (the word lists and people of the site benchmark)

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>A bench blog</title>
<link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example</wp:base_site_url>
<wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[maya]]></wp:author_login><wp:author_display_name><![CDATA[Maya Okafor]]></wp:author_display_name></wp:author>
"""


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _words(rnd, n):
    pool = [*generate.NOUNS, *generate.ADJECTIVES, *generate.VERBS, *generate.PLACES]
    return " ".join(rnd.choice(pool) for _ in range(n))


def _paragraph(rnd):
    return ". ".join(_words(rnd, rnd.randint(6, 14)).capitalize() for _ in range(rnd.randint(2, 5))) + "."


def _classic(rnd, index):
    parts = [_paragraph(rnd), "<!--more-->"]
    for k in range(rnd.randint(3, 8)):
        roll = rnd.random()
        if roll < 0.1:
            parts.append(
                f'[caption id="attachment_{index}{k}" align="aligncenter" width="600"]'
                f'<img src="https://bench.example/wp-content/uploads/{index}-{k}.jpg" '
                f'alt="{_words(rnd, 3)}" width="600" height="400" /> {_words(rnd, 5)}[/caption]'
            )
        elif roll < 0.2:
            parts.append("<ul>\n" + "\n".join(f"<li>{_words(rnd, 4)}</li>" for _ in range(3)) + "\n</ul>")
        elif roll < 0.3:
            parts.append(f'{_paragraph(rnd)} <a href="https://example.org/{index}">{_words(rnd, 2)}</a> '
                         f"<strong>{_words(rnd, 2)}</strong>\n{_paragraph(rnd)}")
        else:
            parts.append(_paragraph(rnd))
    return "\n\n".join(parts)


def _blocks(rnd, index):
    parts = []
    for k in range(rnd.randint(3, 8)):
        if k == 2:
            parts.append(f'<!-- wp:heading -->\n<h2 class="wp-block-heading">{_words(rnd, 3)}</h2>\n<!-- /wp:heading -->')
        else:
            parts.append(f"<!-- wp:paragraph -->\n<p>{_paragraph(rnd)} <em>{_words(rnd, 2)}</em></p>\n<!-- /wp:paragraph -->")
    return "\n\n".join(parts)


def _comment(rnd, cid, parent, when, kind="", approved="1"):
    author = f"{rnd.choice(generate.FIRST)} {rnd.choice(generate.LAST)}"
    return (
        "<wp:comment>"
        f"<wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author>{cdata(author)}</wp:comment_author>"
        f"<wp:comment_author_email>reader{cid}@mail.example</wp:comment_author_email>"
        f"<wp:comment_author_url>{'https://ping.example/' + str(cid) if kind else ''}</wp:comment_author_url>"
        f"<wp:comment_author_IP>203.0.113.{cid % 250}</wp:comment_author_IP>"
        f"<wp:comment_date>{when}</wp:comment_date><wp:comment_date_gmt>{when}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(_paragraph(rnd))}</wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
        "</wp:comment>\n"
    )


def write(out, posts=13000, comments=50000, seed=1):
    rnd = random.Random(seed)
    weights = [1 / (k + 1) for k in range(posts)]
    order = list(range(posts))
    rnd.shuffle(order)
    per_post = [0] * posts
    for index in rnd.choices(order, weights=weights, k=comments):
        per_post[index] += 1
    start = datetime.datetime(2009, 1, 1, 8, 0)
    cid = 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for index in range(posts):
            pid = index + 100
            when = start + datetime.timedelta(hours=6 * index, minutes=rnd.randint(0, 59))
            stamp = when.strftime("%Y-%m-%d %H:%M:%S")
            title = _words(rnd, rnd.randint(3, 7)).capitalize()
            slug = f"{generate.slugify(title)}-{pid}"
            text = _blocks(rnd, index) if index % 3 == 0 else _classic(rnd, index)
            status = "draft" if index % 97 == 5 else "publish"
            f.write(
                "<item>"
                f"<title>{escape(title)}</title>"
                f"<link>https://bench.example/{when:%Y/%m/%d}/{slug}/</link>"
                f"<dc:creator>{cdata('maya')}</dc:creator>"
                f"<content:encoded>{cdata(text)}</content:encoded>"
                "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{pid}</wp:post_id>"
                f"<wp:post_date>{stamp}</wp:post_date><wp:post_date_gmt>{stamp}</wp:post_date_gmt>"
                f"<wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status>"
                "<wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>"
                "<wp:post_password></wp:post_password>"
                f'<category domain="category" nicename="c"><![CDATA[{rnd.choice(generate.CATEGORIES)}]]></category>'
                f'<category domain="post_tag" nicename="t"><![CDATA[{rnd.choice(generate.TAGS)}]]></category>\n'
            )
            ids = []
            for k in range(per_post[index]):
                cid += 1
                roll = rnd.random()
                parent = rnd.choice(ids) if ids and roll < 0.25 else 0
                kind, approved = "", "1"
                if roll > 0.98:
                    kind = "pingback"
                elif roll > 0.96:
                    approved = "spam"
                elif roll > 0.94:
                    approved = "0"
                cwhen = (when + datetime.timedelta(hours=k + 1)).strftime("%Y-%m-%d %H:%M:%S")
                f.write(_comment(rnd, cid, parent, cwhen, kind, approved))
                ids.append(cid)
            f.write("</item>\n")
        f.write("</channel>\n</rss>\n")
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--posts", type=int, default=13000)
    p.add_argument("--comments", type=int, default=50000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    write(args.out, args.posts, args.comments, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
