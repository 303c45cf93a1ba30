#!/usr/bin/env python3
"""A synthetic county roster (花名册) for timing `hearth hub import-roster` at a county's size.

usage: scripts/synthetic-roster.py HOUSEHOLDS OUT.csv

Three people a household (head, spouse, child) in county 421281 (15 townships of 20 villages),
every one with a valid and distinct 18-character ID number; a third of the heads and spouses on
rural dibao. 120,000 households give 360,000 rows: a county of the bureau's larger size.
Seeded, so two runs write the same file. The numbers are made up; no real person is in it.
"""
import datetime
import random
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(first17):
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def main():
    households, path = int(sys.argv[1]), sys.argv[2]
    random.seed(7)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "秀英强伟芳娜敏静丽军洋勇艳杰娟涛明超兰霞平刚桂"
    person = 0
    with open(path, "w", encoding="utf-8-sig") as out:
        out.write("区划代码,户号,地址,户类型,联系电话,一卡通账号,姓名,身份证号,与户主关系,残疾等级,救助项目,月保障金额,起始年月\n")
        for number in range(households):
            code = f"421281{101 + (number // 8000) % 15:03d}{1 + (number // 400) % 20:03d}"
            for position, relation in enumerate(["户主", "配偶", "子"]):
                person += 1
                # A distinct birth date for each thousand people, and the thousand as the sequence.
                born = datetime.date(1940, 1, 1) + datetime.timedelta(days=(person // 1000) * 37 % 21000)
                number17 = f"421281{born:%Y%m%d}{person % 1000:03d}"
                name = random.choice(surnames) + random.choice(given) + random.choice(given)
                if position == 0:
                    house = [code, f"{number:06d}", f"{code[-3:]}村{number % 97}组{number}号", "农村",
                             f"138{number:08d}", f"6228{number:015d}"]
                else:
                    house = [code, f"{number:06d}", "", "", "", ""]
                program = ["农村低保", "560", "2026-01"] if (number + position) % 3 == 0 and position < 2 else ["", "", ""]
                out.write(",".join(house + [name, "\t" + id_number(number17), relation, ""] + program) + "\n")


if __name__ == "__main__":
    main()
