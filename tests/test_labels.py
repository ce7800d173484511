import textwrap

from relwork_ls.bibliography.files import bibliography_from_text
from relwork_ls.bibliography.labels import LabelOptions, compute_labels

BIB = """
@article{xu2023wizardlm, author={Xu, Can and Sun, Qingfeng and Zheng, Kai}, title={WizardLM}, year={2023}}
@article{xu2023expert, author={Xu, Benfeng and Yang, An and Lin, Junyang}, title={ExpertPrompting}, year={2023}}
@article{xu2023baize, author={Xu, Canwen and Guo, Daya and Duan, Nan}, title={Baize}, year={2023}}
@article{xu2021other, author={Xu, Zed and Guo, Daya and Duan, Nan}, title={Older}, year={2021}}
@article{liu2021codeqa, author={Liu, Chenxiao and Wan, Xiaojun}, title={CodeQA}, year={2021}}
@misc{openai2023, author={{OpenAI}}, title={GPT-4}, year={2023}}
@misc{openai2023b, author={OpenAI}, title={Other}, year={2023}}
@misc{anthropic2023b, author={{Anthropic}}, title={B}, year={2023}}
@misc{anthropic2023a, author={{Anthropic}}, title={A}, year={2023}}
@misc{mosaic, author={Mosaic ML}, title={MPT}, year={2023}}
@misc{team, author={Xu, Jing and others}, title={T}, year={2020}}
@misc{keyonly, key={Meta}, title={Llama site}, year={2024}}
@misc{nobody, title={Anonymous}, year={2019}}
"""


def labels(options: LabelOptions | None = None) -> dict[str, str]:
    bib = bibliography_from_text(textwrap.dedent(BIB), "refs.bib")
    return {k: v.text() for k, v in compute_labels(bib.entries, options).items()}


def test_suffixes_follow_bibtex_name_order_not_title_or_file_order():
    got = labels()
    # Xu Benfeng < Xu Can < Xu Canwen: a, b, c regardless of file order and title.
    assert got["xu2023expert"] == "Xu et al., 2023a"
    assert got["xu2023wizardlm"] == "Xu et al., 2023b"
    assert got["xu2023baize"] == "Xu et al., 2023c"
    assert got["xu2021other"] == "Xu et al., 2021"


def test_two_authors_and_joiner():
    assert labels()["liu2021codeqa"] == "Liu and Wan, 2021"
    assert labels(LabelOptions(two_author_joiner="&"))["liu2021codeqa"] == "Liu & Wan, 2021"


def test_braces_make_labels_differ_so_no_suffix():
    got = labels()
    assert got["openai2023"] == "OpenAI, 2023" and got["openai2023b"] == "OpenAI, 2023"


def test_same_corporate_author_ordered_by_cite_key():
    got = labels()
    assert got["anthropic2023a"] == "Anthropic, 2023a"
    assert got["anthropic2023b"] == "Anthropic, 2023b"


def test_unbraced_corporate_author_uses_last_word():
    assert labels()["mosaic"] == "ML, 2023"


def test_and_others_is_et_al():
    assert labels()["team"] == "Xu et al., 2020"


def test_key_only_and_missing_author():
    got = labels()
    assert got["keyonly"] == "Meta"  # plainnat drops the year when the label is the key
    assert got["nobody"] == "nob, 2019"  # first three characters of the cite key


def test_apalike_labels():
    got = labels(LabelOptions(style="apalike"))
    assert got["liu2021codeqa"] == "Liu and Wan, 2021"
    assert got["xu2023baize"].startswith("Xu et al., 2023")


def test_apa_orders_suffixes_by_title():
    got = labels(LabelOptions(style="apa"))
    assert got["liu2021codeqa"] == "Liu & Wan, 2021"
    # Titles: Baize < ExpertPrompting < WizardLM.
    assert got["xu2023baize"] == "Xu et al., 2023a"
    assert got["xu2023wizardlm"] == "Xu et al., 2023c"
