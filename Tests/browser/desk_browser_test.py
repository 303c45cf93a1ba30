#!/usr/bin/env python3
"""The county desk in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by selenium against a real `hearth hub serve` process, with a county made by the CLI.

Flows:
  1. resolve one conflict: two nodes edit one household's income offline and sync; the browser
     logs in, opens the conflict from the list, picks the village's value with a note, and sees it
     gone from the list; `hearth hub conflicts list --json` no longer lists it; after the nodes
     sync, `hearth show` on each node shows the resolved value.
  2. bulk: two more conflicts; the browser previews a bulk resolution (the latest write) and
     applies it; what the hub wrote (decisions, and each record's value on the nodes after sync)
     equals the preview's rows.

A failing flow saves a screenshot and the page source under the artifacts directory (printed at
the start; DESK_BROWSER_ARTIFACTS chooses it). With DESK_SCREENSHOT=PATH the conflict page of
flow 1 is also saved there (1366x768), for the README. Every wait is for a condition, never a
fixed time. Exits non-zero on any failure, and always stops the hub it started.
"""

import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "correct-horse-battery"
WAIT = 30  # seconds a condition may take before the flow fails


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def find_binary():
    given = os.environ.get("HEARTH_BIN")
    if given:
        return given
    for kind in ("debug", "release"):
        path = os.path.join(ROOT, ".build", kind, "hearth")
        if os.path.exists(path):
            return path
    raise Failure("no hearth binary under .build (swift build first, or set HEARTH_BIN)")


class County:
    """A hub database, two enrolled nodes (a township's and one of its villages') and the hub
    serving on a loopback port chosen by the system, all through the CLI."""

    TOWNSHIP = "421281101"
    VILLAGE = "421281101001"

    def __init__(self, binary, directory):
        self.binary = binary
        self.directory = directory
        self.hub_db = os.path.join(directory, "hub.db")
        self.township = os.path.join(directory, "shahe.db")
        self.village = os.path.join(directory, "xinzhuang.db")
        self.hub = None
        self.url = None
        self.hub_log = os.path.join(directory, "hub-stderr.log")

    def cli(self, *args, worker="cli-test"):
        env = dict(os.environ, HEARTH_WORKER=worker)
        done = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL
        )
        if done.returncode != 0:
            raise Failure(f"hearth {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def json(self, *args):
        return json.loads(self.cli(*args, "--json"))

    def start(self):
        self.cli("hub", "init", "--db", self.hub_db, "--name", "宜城", "--scope", "421281")
        tokens = [
            self.cli("hub", "enroll", "--db", self.hub_db, "--name", name, "--scope", scope).splitlines()[0]
            for name, scope in (("shahe", self.TOWNSHIP), ("xinzhuang", self.VILLAGE))
        ]
        password_file = os.path.join(self.directory, "wang.pw")
        with open(password_file, "w") as out:
            out.write(PASSWORD + "\n")
        os.chmod(password_file, 0o600)
        self.cli("hub", "user", "add", "--db", self.hub_db, "--name", "wang", "--role", "admin",
                 "--password-file", password_file)
        self.serve()
        for db, token in zip((self.township, self.village), tokens):
            self.cli("node", "init", "--db", db, "--token", token, "--hub", self.url)

    def serve(self):
        log = open(self.hub_log, "w")
        self.hub = subprocess.Popen(
            [self.binary, "hub", "serve", "--db", self.hub_db, "--port", "0"],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True,
        )
        selector = selectors.DefaultSelector()
        selector.register(self.hub.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + WAIT
        line = ""
        while "serving" not in line:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                raise Failure("the hub did not say it was serving within %d s" % WAIT)
            line = self.hub.stdout.readline()
            if line == "" and self.hub.poll() is not None:
                raise Failure("the hub ended before it served: see " + self.hub_log)
        match = re.search(r"http://127\.0\.0\.1:[0-9]+", line)
        check(match, "no address in the hub's line: " + line)
        self.url = match.group(0)

    def stop(self):
        if self.hub and self.hub.poll() is None:
            self.hub.terminate()
            try:
                self.hub.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait()

    def sync_all(self):
        for _ in range(2):
            for db in (self.village, self.township):
                self.cli("node", "sync", "--db", db)

    def household(self, address, income="300"):
        """A household made on the village node and synced to the township node."""
        made = self.cli(
            "household", "add", "--db", self.village, "--village", self.VILLAGE, "--address", address,
            "--type", "rural", "--phone", "13800001111", "--income", income, worker="cun-li",
        ).splitlines()[0]
        self.sync_all()
        return made

    def conflict(self, household, township_income, village_income):
        """Both nodes edit the household's income before either syncs: a conflict at the hub."""
        self.cli("household", "edit", "--db", self.township, household, "--income", township_income,
                 "--reason", "入户复核", worker="zhen-wang")
        self.cli("household", "edit", "--db", self.village, household, "--income", village_income,
                 "--reason", "村里核实", worker="cun-li")
        self.sync_all()
        return f"{household}/income"

    def open_conflicts(self):
        return {entry["id"] for entry in self.json("hub", "conflicts", "list", "--db", self.hub_db)}

    def income(self, db, household):
        """The household's income as `hearth show` prints it on a node, and its fields in conflict."""
        shown = self.json("show", "--db", db, household)
        return shown["fields"]["income"], shown.get("conflicts", [])


def browser():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")  # CI runs as root
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1366,768")
    options.add_argument("--lang=zh-CN")
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def wait(driver, condition, what):
    try:
        return WebDriverWait(driver, WAIT).until(condition)
    except TimeoutException:
        raise Failure("timed out waiting for " + what)


def log_in(driver, county):
    driver.get(county.url + "/desk/login?lang=zh")
    wait(driver, EC.presence_of_element_located((By.NAME, "name")), "the login form")
    driver.find_element(By.NAME, "name").send_keys("wang")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait(driver, EC.url_contains("/desk/overview"), "the overview after login")
    check("wang" in driver.find_element(By.CSS_SELECTOR, ".who").text, "the bar does not name the user")


def flow_resolve(driver, county):
    household = county.household("新庄村三组 12 号")
    conflict = county.conflict(household, "500", "620")
    check(conflict in county.open_conflicts(), f"the nodes' edits made no conflict {conflict}")
    log_in(driver, county)
    driver.find_element(By.LINK_TEXT, "冲突").click()
    wait(driver, EC.url_contains("/desk/conflicts"), "the conflict list")
    link = wait(driver, EC.element_to_be_clickable((By.LINK_TEXT, conflict)), "the conflict in the list")
    link.click()
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "table.three-way")), "the three-way view")
    page = driver.page_source
    for text in ("620", "500", "cun-li", "zhen-wang", "R4b"):
        check(text in page, f"the conflict page lacks {text}")
    shot = os.environ.get("DESK_SCREENSHOT")
    if shot:
        driver.save_screenshot(shot)
        print("browser: the conflict page saved to " + shot)
    # The radio button of the row the village wrote.
    rows = driver.find_elements(By.CSS_SELECTOR, "table.three-way tbody tr")
    row = next((r for r in rows if "cun-li" in r.text), None)
    check(row is not None, "no row written by cun-li")
    row.find_element(By.CSS_SELECTOR, "input[type=radio]").click()
    driver.find_element(By.NAME, "note").send_keys("村里核实为 620 元")
    driver.find_element(By.CSS_SELECTOR, "fieldset.resolve button[type=submit]").click()
    notice = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice")), "the resolved notice")
    check("已解决" in notice.text, "the notice does not say resolved: " + notice.text)
    check(not driver.find_elements(By.LINK_TEXT, conflict), "the conflict is still in the list")
    check(conflict not in county.open_conflicts(), "hearth hub conflicts still lists the conflict")
    decisions = [
        entry for entry in county.json("hub", "audit", "--db", county.hub_db)
        if isinstance(entry, dict) and "村里核实为 620 元" in json.dumps(entry, ensure_ascii=False)
    ]
    check(decisions, "hearth hub audit has no decision with the desk's note")
    county.sync_all()
    for db in (county.village, county.township):
        income, conflicts = county.income(db, household)
        check(income == "620.00" and not conflicts, f"{db} shows income {income}, conflicts {conflicts}")


def flow_bulk(driver, county):
    first = county.conflict(county.household("新庄村三组 14 号"), "700", "710")
    second = county.conflict(county.household("新庄村三组 16 号"), "800", "810")
    check({first, second} <= county.open_conflicts(), "the nodes' edits made no conflicts")
    driver.get(county.url + "/desk/conflicts?lang=zh")
    wait(driver, EC.element_to_be_clickable((By.ID, "bulk-link")), "the bulk link").click()
    wait(driver, EC.presence_of_element_located((By.NAME, "choice")), "the bulk form")
    driver.find_element(By.CSS_SELECTOR, "select[name=choice] option[value=newest]").click()
    driver.find_element(By.ID, "bulk-preview").click()
    wait(driver, EC.presence_of_element_located((By.ID, "bulk-apply")), "the preview's apply button")
    previewed = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "table.bulk tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if len(cells) == 7:
            previewed[cells[0].text] = cells[6].text
    check(set(previewed) == {first, second}, f"the preview lists {sorted(previewed)}")
    driver.find_element(By.CSS_SELECTOR, "form.resolve textarea[name=note]").send_keys("批量核实")
    driver.find_element(By.ID, "bulk-apply").click()
    notice = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice")), "the bulk notice")
    check("2" in notice.text, "the notice does not count 2: " + notice.text)
    check(not ({first, second} & county.open_conflicts()), "conflicts of the bulk are still open")
    county.sync_all()
    for conflict, value in previewed.items():
        household = conflict.split("/")[0]
        for db in (county.village, county.township):
            income, conflicts = county.income(db, household)
            check(income == value and not conflicts,
                  f"{household}: the preview said {value}, {db} shows {income} (conflicts {conflicts})")


def main():
    artifacts = os.environ.get("DESK_BROWSER_ARTIFACTS") or tempfile.mkdtemp(prefix="desk-browser-")
    os.makedirs(artifacts, exist_ok=True)
    print("browser: artifacts of failures go to " + artifacts)
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory(prefix="desk-county-") as directory:
        county = County(find_binary(), directory)
        driver = None
        try:
            county.start()
            driver = browser()
            for name, flow in (("resolve", flow_resolve), ("bulk", flow_bulk)):
                try:
                    flow(driver, county)
                    passed += 1
                    print(f"browser: {name}: passed")
                except Exception as error:
                    failed += 1
                    print(f"browser: {name}: FAILED: {error}")
                    traceback.print_exc()
                    stem = os.path.join(artifacts, name)
                    try:
                        driver.save_screenshot(stem + ".png")
                        with open(stem + ".html", "w") as out:
                            out.write(driver.page_source)
                        print(f"browser: {name}: screenshot {stem}.png, page {stem}.html")
                    except Exception as saving:
                        print(f"browser: {name}: could not save the page: {saving}")
        except Exception as error:
            failed += 1
            print(f"browser: setup FAILED: {error}")
            traceback.print_exc()
        finally:
            if driver is not None:
                driver.quit()
            county.stop()
            if failed:
                with open(county.hub_log) as log:
                    tail = log.read()[-4000:]
                print("browser: the hub's log ends:\n" + tail)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
